"""PSM-DID in one call.

The two-way fixed-effects DID on the matched sample: the paper's Table 3 columns (1) and (2),
without and with control variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pilotdid.errors import EstimationError, MatchingError
from pilotdid.options import AnalysisHow, deprecated_arguments, validate_option
from pilotdid.panel.frames import check_frame
from pilotdid.panel.identification import dummy_design_problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MatchedSample", "PsmDid", "psm_did"]


class MatchedSample(Protocol):
    """What PSM-DID reads of a matching result (:class:`pilotdid.MatchResult` is one)."""

    @property
    def unit(self) -> str | None:
        """The unit identifier column."""

    @property
    def time(self) -> str | None:
        """The time column."""

    def analysis_sample(self, how: AnalysisHow = "matched") -> pd.DataFrame:
        """Return the PSM-DID estimation sample."""


class PsmDid(NamedTuple):
    """The two DID regressions on the matched sample (a tuple: pass it to ``etable`` as a list)."""

    without_controls: Any
    with_controls: Any

    def _repr_html_(self) -> str:
        from pilotdid.tables.etable import etable

        models = [m for m in self if m is not None]
        return etable(models, title="PSM-DID: without and with controls").to_html()


@deprecated_arguments(("result", "outcome", "treatment", "controls"), did="treatment")
def psm_did(
    result: MatchedSample,
    outcome: str,
    treatment: str,
    *,
    controls: Sequence[str] = (),
    unit: str | None = None,
    time: str | None = None,
    how: AnalysisHow = "matched",
    vcov: Any = None,
) -> PsmDid:
    """Estimate ``outcome ~ treatment (+ controls) | unit + time`` on the PSM-DID sample.

    Parameters
    ----------
    result : MatchResult or MatchedSample
        The matching result (anything with ``unit``, ``time`` and ``analysis_sample(how)``).
    outcome : str
        Dependent variable.
    treatment : str
        The DID regressor (``treat x post``).
    controls : sequence of str
        Control variables of the second regression.
    unit, time : str, optional
        Fixed effects; default to the ``unit``/``time`` given to :func:`pilotdid.match`.
    how : {"matched", "support", "weights"}, default "matched"
        The sample (see :meth:`MatchResult.analysis_sample`); ``"weights"`` also passes
        ``weights="_weight"`` (analytic weights).
    vcov : optional
        Passed to :func:`pilotdid.feols`; default clustered by ``unit``.

    Returns
    -------
    PsmDid
        ``(without_controls, with_controls)`` feols results.

    Examples
    --------
    >>> import numpy as np, pandas as pd, pilotdid as pdid
    >>> rng = np.random.default_rng(3)
    >>> u = pd.DataFrame({"city": range(60), "x": rng.normal(size=60)})
    >>> u["treat"] = (u.x + rng.normal(size=60) > 0.8).astype(int)
    >>> df = u.merge(pd.DataFrame({"year": range(2010, 2016)}), how="cross")
    >>> df["did"] = df.treat * (df.year >= 2013)
    >>> df["z"] = rng.normal(size=len(df))
    >>> df["y"] = 0.5 * df.did + df.z + rng.normal(size=len(df))
    >>> res = pdid.match(df, "treat", ["x"], unit="city", time="year")
    >>> r1, r2 = res.did("y", "did", controls=["z"])
    >>> "did" in r1.coef().index
    True
    """
    from pilotdid.estimation.feols import feols
    from pilotdid.estimation.formula import build_formula, cluster_argument

    validate_option(how, AnalysisHow, "how", MatchingError)
    unit = unit or result.unit
    time = time or result.time
    if unit is None or time is None:
        raise MatchingError("psm_did needs unit= and time= (the fixed effects).")
    sample = result.analysis_sample(how)
    check_frame(
        sample, [outcome, treatment, *controls, unit, time], where="psm_did", keys=(unit, time)
    )
    vcov = cluster_argument([unit]) if vcov is None else vcov
    weights = "_weight" if how == "weights" else None
    fits = []
    for regressors in ([treatment], [treatment, *controls]):
        fml = build_formula(outcome, regressors, [unit, time])
        try:
            fit = feols(fml, sample, vcov=vcov, weights=weights)
        except EstimationError as exc:
            _name_the_design_problem(sample, treatment, unit, time, how, exc)
            raise
        if treatment in fit.collinear:
            _name_the_design_problem(sample, treatment, unit, time, how, None)
        fits.append(fit)
    return PsmDid(*fits)


def _name_the_design_problem(
    sample: pd.DataFrame,
    treatment: str,
    unit: str,
    time: str,
    how: str,
    cause: Exception | None,
) -> None:
    """Raise the design's problem (every unit treated at one date, no pre/post period), if any.

    Called when the DID regressor could not be estimated: the fit alone says "collinear".
    """
    problem = dummy_design_problem(sample, treatment, unit, time)
    if problem:
        raise EstimationError(f"PSM-DID on the {how!r} sample: {problem}") from cause
