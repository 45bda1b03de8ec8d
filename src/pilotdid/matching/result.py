"""The result of :func:`pilotdid.match`.

psmatch2 columns on every input row, the matched pairs, and the PSM-DID estimation sample.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.errors import MatchingError
from pilotdid.matching.engine import MatchSpec
from pilotdid.matching.propensity import PropensityFit
from pilotdid.options import AnalysisHow, deprecated_arguments, validate_option

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.did.psm_did import PsmDid
    from pilotdid.matching.balance import BalanceTable
    from pilotdid.matching.effect import MahalanobisCovariance, MatchEstimand, MatchSE
    from pilotdid.matching.effect_result import MatchEffect
    from pilotdid.tables.stata import DtaFile

__all__ = ["MatchResult"]


@dataclass(frozen=True)
class MatchResult:
    """Propensity-score matching result in psmatch2's vocabulary.

    Attributes
    ----------
    data : pandas.DataFrame
        Every input row (same index and order) plus ``_pscore _treated _support _weight _id _nn
        _n1.._nk _pdif``. ``_id`` is the 0-based row position; ``_n1.._nk`` hold the ``_id`` of
        the k nearest matched controls; ``_weight`` is 1 for matched treated rows, the (summed,
        normalised) match weight for used controls and missing otherwise; ``_support`` is 1/0
        (missing for rows left out of matching).
    pairs : pandas.DataFrame
        One row per treated-control pair: ids (or units for ``base_year``), ``rank``, ``weight``
        (the pair's share, summing to 1 per treated unit) and ``distance``.
    frame : pandas.DataFrame
        The sample that was matched (one row per unit for ``base_year``): covariates,
        ``_treated _pscore _support _weight``; :meth:`balance` works on it.
    fits : mapping
        Propensity models: ``{None: fit}``, or ``{period: fit}`` for ``by_year``.
    spec : MatchSpec
        The options used.
    treatment, covariates, panel, unit, time
        What was matched on and how.
    caliper : float or None
        Caliper in score units actually applied (None: no caliper, or varying by period).
    notes : tuple of str
        Every adjustment made (rows left out, units off support, ...), counted.
    counts : mapping
        ``n_treated``, ``n_controls``, ``n_matched_treated``, ``n_used_controls``,
        ``off_common``, ``off_trim``, ``no_match``, ``n_excluded``.
    """

    data: pd.DataFrame
    pairs: pd.DataFrame
    frame: pd.DataFrame
    fits: Mapping[Any, PropensityFit | None]
    spec: MatchSpec
    treatment: str
    covariates: tuple[str, ...]
    panel: str
    unit: str | None = None
    time: str | None = None
    caliper: float | None = None
    notes: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def propensity(self) -> PropensityFit:
        """The propensity model (one model; for ``by_year`` use :attr:`fits`)."""
        if len(self.fits) != 1 or None not in self.fits:
            raise MatchingError("by_year matching has one propensity model per period; use .fits.")
        fit = self.fits[None]
        if fit is None:
            raise MatchingError("the propensity score was supplied (pscore=), not estimated.")
        return fit

    def analysis_sample(self, how: AnalysisHow = "matched") -> pd.DataFrame:
        """Return the PSM-DID estimation sample.

        Parameters
        ----------
        how : {"matched", "support", "weights"}, default "matched"
            ``"matched"``: rows with a non-missing ``_weight`` (Stata ``drop if _weight == .``;
            for ``base_year`` every year of the matched units). ``"support"``: rows on common
            support (``_support == 1``). ``"weights"``: the matched rows, meant for a weighted
            regression ``feols(..., weights="_weight")``; note that fixest/pyfixest/pilotdid
            weights are analytic (aweight-like), not frequency weights, so the SEs are not those
            of a sample with duplicated controls.

        Returns
        -------
        pandas.DataFrame
            A copy of the selected rows with all columns, including the psmatch2 ones.

        Examples
        --------
        >>> import numpy as np, pandas as pd, pilotdid as pdid
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"x": rng.normal(size=300)})
        >>> df["d"] = (df.x + rng.normal(size=300) > 1).astype(int)
        >>> res = pdid.match(df, "d", ["x"], panel="pooled")
        >>> sample = res.analysis_sample("matched")
        >>> bool(sample["_weight"].notna().all())
        True
        """
        validate_option(how, AnalysisHow, "how", MatchingError)
        if how == "support":
            return self.data[self.data["_support"] == 1].copy()
        return self.data[self.data["_weight"].notna()].copy()

    def balance(self, model: str = "probit") -> BalanceTable:
        """Pstest balance table before and after matching (see :func:`balance_table`)."""
        from pilotdid.matching.balance import balance_table

        return balance_table(self, model=model)

    def plot_pscore(self, weighted: bool = True, *, language: str = "en") -> Figure:
        """Score densities of treated vs controls before and after matching."""
        from pilotdid.matching.figures import plot_pscore_density

        return plot_pscore_density(self, weighted=weighted, language=language)

    def plot_support(self, bins: int = 20, *, language: str = "en") -> Figure:
        """psgraph: histogram of the score by treatment and support status."""
        from pilotdid.matching.figures import plot_common_support

        return plot_common_support(self, bins=bins, language=language)

    @deprecated_arguments(("self", "outcome", "treatment", "controls"), did="treatment")
    def did(
        self,
        outcome: str,
        treatment: str,
        *,
        controls: Sequence[str] = (),
        unit: str | None = None,
        time: str | None = None,
        how: AnalysisHow = "matched",
        vcov: Any = None,
    ) -> PsmDid:
        """Estimate the paper's Table 3 columns: TWFE DID on the matched sample, without/with controls.

        See :func:`pilotdid.did.psm_did.psm_did` for the arguments.
        """
        from pilotdid.did.psm_did import psm_did

        return psm_did(
            self, outcome, treatment, controls=controls, unit=unit, time=time, how=how, vcov=vcov
        )

    def effect(
        self,
        outcome: str,
        *,
        estimand: MatchEstimand = "ATT",
        se: MatchSE = "ai",
        J: int | None = None,
        bias_adjust: bool | Sequence[str] = False,
        ties: bool | None = None,
        tolerance: float = 0.0,
        period: Any = None,
        level: float = 0.95,
        covariance: MahalanobisCovariance = "pooled",
    ) -> MatchEffect:
        """ATT/ATE/ATC of ``outcome`` with an Abadie-Imbens SE (see :func:`matching_effect`)."""
        from pilotdid.matching.effect import matching_effect

        return matching_effect(
            self, outcome, estimand=estimand, se=se, J=J, bias_adjust=bias_adjust, ties=ties,
            tolerance=tolerance, period=period, level=level, covariance=covariance,
        )  # fmt: skip

    def summary(self) -> str:
        """Return a short text summary: method, counts and notes."""
        c = self.counts
        s = self.spec
        how = (
            s.method
            if s.method != "nearest"
            else (
                f"{s.k}-nearest neighbour{'s' if s.k > 1 else ''}, "
                f"{'with' if s.replace else 'without'} replacement"
                + (f", order={s.order}" if not s.replace else "")
                + (", ties" if s.ties else "")
            )
        )
        lines = [
            f"Propensity-score matching ({how}; {s.model} score; panel={self.panel})",
            f"  treated: {c.get('n_treated', 0)}, matched: {c.get('n_matched_treated', 0)}; "
            f"controls: {c.get('n_controls', 0)}, used: {c.get('n_used_controls', 0)}",
        ]
        if self.caliper is not None:
            lines.append(f"  caliper: {self.caliper:.6g} (score units)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def to_stata(self, path: str | os.PathLike[str]) -> DtaFile:
        """Write the matched panel to a Stata ``.dta`` file with psmatch2's variables.

        Every input row is written (as psmatch2 keeps every row) with ``_pscore _treated
        _support _weight _id _nn _n1.._nk _pdif`` and their variable labels, so the Stata
        workflow goes on unchanged (``pstest``, ``drop if _weight == .``). ``_id`` and ``_n#`` are
        0-based row positions. Column names Stata does not accept are changed (reported in the
        returned :attr:`~pilotdid.tables.stata.DtaFile.renamed`; the label keeps the original
        name). Needs the ``pyreadstat`` package (``pip install 'pilotdid[stata]'``).

        Parameters
        ----------
        path : str or os.PathLike
            The ``.dta`` file to write, atomically; its folder must exist.

        Returns
        -------
        DtaFile
            The path, the numbers of observations and variables, and the renamed columns.

        Examples
        --------
        >>> import os, tempfile, numpy as np, pandas as pd, pilotdid as pdid
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"x": rng.normal(size=200)})
        >>> df["d"] = (df.x + rng.normal(size=200) > 1).astype(int)
        >>> res = pdid.match(df, "d", ["x"], panel="pooled")
        >>> out = res.to_stata(os.path.join(tempfile.mkdtemp(), "matched.dta"))
        >>> out.n_rows, out.n_columns
        (200, 10)
        """
        from pilotdid.matching.stata import write_match_dta

        return write_match_dta(self, path)

    def matched_units(self) -> np.ndarray:
        """Return the unit identifiers with a non-missing ``_weight`` (needs ``unit``)."""
        if self.unit is None:
            raise MatchingError("matched_units() needs the unit= column given to match().")
        return np.asarray(pd.unique(self.data.loc[self.data["_weight"].notna(), self.unit]))
