"""Study-file requests that need more memory than the machine has, found before any stage runs."""

from __future__ import annotations

from pilotdid.study.config import StudyConfig

__all__ = ["memory_problems"]


def memory_problems(cfg: StudyConfig, n_rows: int, n_units: int) -> list[str]:
    """Return the requests of the study file that need more memory than the machine has.

    Parameters
    ----------
    cfg : StudyConfig
        The study.
    n_rows, n_units : int
        Size of the panel after the filters (an upper bound of every stage's sample).

    Returns
    -------
    list of str
        ``"placebo.draws: ..."`` lines (empty when everything fits).
    """
    from pilotdid.errors import PilotdidError
    from pilotdid.memory import (
        bootstrap_bytes,
        matching_bytes,
        permutation_bytes,
        placebo_bytes,
        require_memory,
    )

    checks = []
    if cfg.placebo.enabled:
        draws = cfg.placebo.draws
        checks.append(
            (
                "placebo.draws",
                placebo_bytes(draws, n_units, cfg.placebo.kind),
                f"{draws:,} placebo draws over {n_units:,} units",
                "use fewer draws",
            )
        )
    het = cfg.heterogeneity
    if het.enabled and het.split_by and het.test in ("both", "permutation"):
        r = het.permutations
        checks.append(
            (
                "heterogeneity.permutations",
                permutation_bytes(r, n_units),
                f"{r:,} permutations over {n_units:,} units",
                "use fewer permutations",
            )
        )
    mech = cfg.mechanisms
    if mech.enabled and mech.mediators and mech.method == "three_step" and mech.bootstrap:
        b, width = mech.bootstrap, 3 + len(cfg.model.controls)
        checks.append(
            (
                "mechanisms.bootstrap",
                bootstrap_bytes(b, n_units, n_units, width),
                f"{b:,} bootstrap samples of {n_units:,} units",
                "use fewer bootstrap samples",
            )
        )
    m = cfg.matching
    if m.enabled and m.method == "nearest":
        checks.append(("matching.neighbors", matching_bytes(m.neighbors, n_rows),
                       f"{m.neighbors:,} neighbours over {n_rows:,} rows",
                       "use fewer neighbours"))  # fmt: skip
    out = []
    for key, needed, what, fix in checks:
        try:
            require_memory(needed, what, fix)
        except PilotdidError as exc:
            out.append(f"{key}: {exc}")
    return out
