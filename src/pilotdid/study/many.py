"""``pilotdid.run_many``: several study files, run side by side through any executor."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor

from pilotdid.errors import StudyFileError
from pilotdid.study.config import Study, load_study
from pilotdid.study.pipeline import StudyResult, run_study

__all__ = ["run_many"]


def _run_one(study: Study) -> StudyResult:
    """Run one study (module level, so process pools and Dask can pickle it)."""
    return run_study(study)


def run_many(
    studies: Sequence[Study | str | os.PathLike[str]], *, executor: Executor | None = None
) -> list[StudyResult]:
    """Run several study files, one after another or in parallel.

    Every file is loaded and validated here first, so a mistake in any of them is reported
    before anything runs. Each study draws its random numbers from its own seeds, so the
    results are the same whatever the executor.

    Parameters
    ----------
    studies : sequence of Study, str or path-like
        Study files (paths) or validated :class:`~pilotdid.study.config.Study` objects.
    executor : concurrent.futures.Executor, optional
        Where the studies run: a ``ProcessPoolExecutor``, a Dask
        ``distributed.Client(...).get_executor()`` (a local or a remote cluster), Ray's
        executor. Default: in this process, in order.

    Returns
    -------
    list of StudyResult
        One per study, in the order given (write each with ``.write_report()``).

    Raises
    ------
    StudyFileError
        A study file is invalid (the first one found, with its problems).

    Examples
    --------
    >>> import pilotdid as pdid
    >>> pdid.run_many([])
    []
    """
    if isinstance(studies, (str, os.PathLike)):
        raise StudyFileError(
            "run_many takes a list of study files; for one file use pilotdid.run_study"
        )
    if executor is not None and not isinstance(executor, Executor):
        raise StudyFileError(
            f"run_many: executor= must be a concurrent.futures.Executor, not "
            f"{type(executor).__name__}"
        )
    loaded = [s if isinstance(s, Study) else load_study(s) for s in studies]
    if executor is None:
        return [_run_one(s) for s in loaded]
    futures = [executor.submit(_run_one, s) for s in loaded]
    return [f.result() for f in futures]
