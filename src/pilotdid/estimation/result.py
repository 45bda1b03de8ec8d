"""The frozen result of a fixed-effects OLS regression."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pilotdid.estimation.summary import COEF_COLUMNS, ModelSummary

if TYPE_CHECKING:
    from pilotdid.estimation.variance import FitState
    from pilotdid.estimation.wild_result import WildBootstrapResult
    from pilotdid.options import WildWeights

__all__ = ["FeolsResult"]


@dataclass(frozen=True, eq=False)
class FeolsResult:
    """Fixed-effects OLS estimates with their variance, fit statistics and sample bookkeeping.

    Build it with :func:`pilotdid.feols`; change the variance estimator with :meth:`with_vcov`
    (no refit). Accessors return pandas objects indexed by coefficient name.

    Attributes
    ----------
    fml : str
        The formula.
    depvar : str
        Outcome.
    names : tuple of str
        Coefficient names (collinear regressors removed).
    coef_values : numpy.ndarray, shape (k,)
        Estimates.
    vcov_matrix : numpy.ndarray, shape (k, k)
        Variance-covariance matrix.
    vcov_type : str
        ``"iid"``, ``"hetero"``, ``"CRV1"``, ``"CR2"`` or ``"CR3"``.
    cluster : tuple of str
        Cluster variables (empty unless clustered).
    df_t : float
        Degrees of freedom of the t-tests.
    df_k : int
        Parameters counted in the small-sample correction.
    cluster_sizes : tuple of int
        Number of clusters per cluster variable.
    nobs : int
        Observations used.
    fixef : tuple of str
        Absorbed fixed effects.
    fixef_levels : tuple of int
        Levels of each fixed effect in the sample.
    dropped : mapping of str to int
        Rows removed by cause: ``missing`` and ``singletons``.
    collinear : tuple of str
        Regressors dropped because they are collinear with the fixed effects or earlier ones.
    absorbed : tuple of str
        The part of ``collinear`` with no variation left after the fixed effects alone (a
        time-invariant control under unit fixed effects); the rest duplicate other regressors.
    ssr, tss, tss_within : float
        Weighted sums of squares: residual, total (around the mean) and after the fixed effects.
    weights : str or None
        Description of the analytic weights, if any.
    """

    fml: str
    depvar: str
    names: tuple[str, ...]
    coef_values: np.ndarray
    vcov_matrix: np.ndarray
    vcov_type: str
    cluster: tuple[str, ...]
    df_t: float
    df_k: int
    cluster_sizes: tuple[int, ...]
    nobs: int
    fixef: tuple[str, ...]
    fixef_levels: tuple[int, ...]
    dropped: Mapping[str, int]
    collinear: tuple[str, ...]
    ssr: float
    tss: float
    tss_within: float
    weights: str | None = None
    absorbed: tuple[str, ...] = ()
    _state: FitState | None = field(default=None, repr=False)

    # --- accessors -------------------------------------------------------------------------
    def coef(self) -> pd.Series:
        """Estimates as a Series indexed by coefficient name."""
        return pd.Series(self.coef_values, index=list(self.names), name="estimate")

    def se(self) -> pd.Series:
        """Return the standard errors."""
        return pd.Series(
            np.sqrt(np.diag(self.vcov_matrix)), index=list(self.names), name="std_error"
        )

    def tstat(self) -> pd.Series:
        """T statistics (estimate / standard error)."""
        return (self.coef() / self.se()).rename("statistic")

    def pvalue(self) -> pd.Series:
        """Two-sided p-values from a t-distribution with :attr:`df_t` degrees of freedom."""
        from scipy import stats

        p = 2 * stats.t.sf(np.abs(self.tstat().to_numpy()), self.df_t)
        return pd.Series(p, index=list(self.names), name="p_value")

    def confint(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals at ``level`` with columns ``conf_low`` and ``conf_high``."""
        from scipy import stats

        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
        q = stats.t.ppf(0.5 + level / 2, self.df_t)
        est, se = self.coef(), self.se()
        return pd.DataFrame({"conf_low": est - q * se, "conf_high": est + q * se})

    def vcov(self) -> pd.DataFrame:
        """Variance-covariance matrix as a labelled DataFrame."""
        return pd.DataFrame(self.vcov_matrix, index=list(self.names), columns=list(self.names))

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per coefficient: estimate, std_error, statistic, p_value, conf_low, conf_high."""
        frame = pd.concat(
            [self.coef(), self.se(), self.tstat(), self.pvalue(), self.confint(level)], axis=1
        )
        frame.index.name = "term"
        return frame[list(COEF_COLUMNS)]

    # --- fit statistics --------------------------------------------------------------------
    @property
    def r2(self) -> float:
        """R² including the fixed effects."""
        return 1.0 - self.ssr / self.tss

    @property
    def r2_within(self) -> float:
        """R² of the demeaned model (NaN without fixed effects)."""
        return 1.0 - self.ssr / self.tss_within if self.fixef else float("nan")

    @property
    def adj_r2(self) -> float:
        """Adjusted R² counting every fixed-effect level as a parameter (fixest's definition)."""
        k_total = len(self.names) + sum(g - 1 for g in self.fixef_levels) + (1 if self.fixef else 0)
        return 1.0 - (1.0 - self.r2) * (self.nobs - 1) / (self.nobs - k_total)

    @property
    def rmse(self) -> float:
        """Root mean squared (weighted) residual."""
        return float(np.sqrt(self.ssr / self.nobs))

    @property
    def n_clusters(self) -> dict[str, int]:
        """Number of clusters per cluster variable (empty when not clustered)."""
        return dict(zip(self.cluster, self.cluster_sizes, strict=True))

    @property
    def vcov_label(self) -> str:
        """Plain-language description of the variance estimator."""
        if self.vcov_type in ("CRV1", "CR2", "CR3"):
            kind = "" if self.vcov_type == "CRV1" else f" ({self.vcov_type})"
            return "clustered by " + " and ".join(self.cluster) + kind
        return {"iid": "iid", "hetero": "heteroskedasticity-robust (HC1)"}[self.vcov_type]

    # --- derived results -------------------------------------------------------------------
    @property
    def sample_positions(self) -> np.ndarray | None:
        """Positions (``iloc``) of the rows the regression used in the frame it was given."""
        return None if self._state is None else self._state.rows

    def with_vcov(self, vcov: str | Mapping[str, str]) -> FeolsResult:
        """Return a copy with another variance estimator, without refitting.

        Parameters
        ----------
        vcov : str or dict
            ``"iid"``, ``"hetero"`` (``"HC1"``), ``{"CRV1": "city"}``, ``{"CRV1": "city+year"}``,
            ``{"CR2": "city"}`` or ``{"CR3": "city"}``.

        Returns
        -------
        FeolsResult
            Same estimates, new standard errors.
        """
        from pilotdid.estimation.variance import recompute_vcov

        if self._state is None:
            raise ValueError("this result carries no fit state; refit it with pilotdid.feols")
        return replace(self, **recompute_vcov(self._state, vcov, self.fml))

    def wild_bootstrap(
        self,
        param: str,
        *,
        cluster: str | None = None,
        B: int = 9999,
        weights: WildWeights = "rademacher",
        impose_null: bool = True,
        seed: int | None = None,
        level: float = 0.95,
        null: float = 0.0,
        bootcluster: str | None = None,
    ) -> WildBootstrapResult:
        """Wild cluster bootstrap p-value and test-inversion interval for one coefficient.

        The restricted bootstrap (WCR, ``impose_null=True``) of MacKinnon & Webb, computed as
        ``boottest``/``fwildclusterboot`` do: after partialling out the fixed effects, with all
        draws as matrix products over cluster-level scores (see :mod:`pilotdid.estimation.wild`).

        Parameters
        ----------
        param : str
            The coefficient to test (``H0: param = null``).
        cluster : str, optional
            Cluster variable(s) of the t-statistic, ``"city"`` or two-way ``"city + year"``;
            by default this result's clustering.
        B : int, default 9999
            Bootstrap draws. With Rademacher weights and ``2**G <= B`` all ``2**G`` sign vectors
            are enumerated instead (``result.full_enumeration``).
        weights : {"rademacher", "webb", "mammen", "norm"}
            Distribution of the cluster weights (Webb's six-point weights suit fewer than ~12
            clusters, where Rademacher has few distinct draws).
        impose_null : bool, default True
            WCR (null imposed on the bootstrap data) or WCU (unrestricted residuals).
        seed : int, optional
            Seed of the weights; the same seed gives identical output.
        level : float, default 0.95
            Confidence level of the interval.
        null : float, default 0.0
            The value ``r`` of the null hypothesis.
        bootcluster : str, optional
            Under two-way clustering, the cluster variable whose clusters get the bootstrap
            weights; by default the one with fewer clusters.

        Returns
        -------
        WildBootstrapResult
            p-value, interval, t-statistic, draws used and whether they were enumerated.

        Examples
        --------
        >>> from pilotdid.datasets import demo_panel
        >>> from pilotdid import feols
        >>> df = demo_panel().data
        >>> fit = feols("lnESF ~ TP + lnPERgdp | code + year", df, vcov={"CRV1": "province"})
        >>> wb = fit.wild_bootstrap("TP", B=999, seed=1)
        >>> wb.B, wb.full_enumeration, wb.method
        (999, False, 'WCR')
        >>> bool(wb.conf_low < fit.coef()["TP"] < wb.conf_high)
        True
        """
        from pilotdid.errors import EstimationError
        from pilotdid.estimation.formula import parse_cluster
        from pilotdid.estimation.wild import wild_test

        if self._state is None:
            raise ValueError("this result carries no fit state; refit it with pilotdid.feols")
        if cluster is None:
            if not self.cluster:
                raise EstimationError(
                    f"wild_bootstrap: {self.fml!r} is not clustered; pass cluster='<column>'"
                )
            names = self.cluster
        else:
            parsed = parse_cluster(cluster) if isinstance(cluster, str) else None
            if not parsed or len(parsed) > 2:
                raise EstimationError(
                    f"wild_bootstrap: cluster={cluster!r} must name one or two columns, "
                    "e.g. 'city' or 'city + year'"
                )
            names = parsed
        return wild_test(
            self._state,
            self.names,
            self.coef_values,
            self.fml,
            param=param,
            cluster=names,
            bootcluster=bootcluster,
            B=B,
            weights=weights,
            impose_null=impose_null,
            seed=seed,
            level=level,
            null=null,
        )

    def model_summary(self) -> ModelSummary:
        """Table-facing summary (see :class:`pilotdid.estimation.summary.ModelSummary`)."""
        stats: dict[str, float] = {
            "r2": self.r2,
            "r2_within": self.r2_within,
            "adj_r2": self.adj_r2,
        }
        if self.cluster_sizes:
            stats["n_clusters"] = float(min(self.cluster_sizes))
        return ModelSummary(
            coefs=self.tidy(),
            depvar=self.depvar,
            fixef=self.fixef,
            vcov_label=self.vcov_label,
            nobs=self.nobs,
            stats=stats,
            collinear=self.collinear,
            absorbed=self.absorbed,
        )

    # --- display ---------------------------------------------------------------------------
    def _sample_lines(self) -> list[str]:
        lines = [f"Observations: {self.nobs:,}"]
        if self.fixef:
            fes = ", ".join(
                f"{f} ({g:,})" for f, g in zip(self.fixef, self.fixef_levels, strict=True)
            )
            lines.append(f"Fixed effects: {fes}")
        clusters = ", ".join(f"{g:,} {c}" for c, g in self.n_clusters.items())
        lines.append(
            f"Standard errors: {self.vcov_label}" + (f" ({clusters} clusters)" if clusters else "")
        )
        removed = [f"{n:,} {cause}" for cause, n in self.dropped.items() if n]
        if removed:
            lines.append("Rows removed: " + ", ".join(removed))
        if self.collinear:
            lines.append("Dropped as collinear: " + ", ".join(self.collinear))
        return lines

    def _fit_line(self) -> str:
        parts = [f"R2: {self.r2:.4f}", f"Adj. R2: {self.adj_r2:.4f}"]
        if self.fixef:
            parts.append(f"Within R2: {self.r2_within:.4f}")
        return "   ".join(parts)

    def summary(self) -> str:
        """fixest-style text summary."""
        table = self.tidy().drop(columns=["conf_low", "conf_high"])
        table.columns = ["Estimate", "Std. Error", "t value", "Pr(>|t|)"]
        body = table.to_string(float_format=lambda v: f"{v:.6g}")
        return "\n".join(
            [f"OLS estimation: {self.fml}", *self._sample_lines(), body, self._fit_line()]
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "<br>".join(
            html.escape(line) for line in [f"OLS estimation: {self.fml}", *self._sample_lines()]
        )
        table = self.tidy().to_html(float_format=lambda v: f"{v:.6g}", escape=True)
        return f"<div><p>{head}</p>{table}<p>{html.escape(self._fit_line())}</p></div>"

    def __repr__(self) -> str:
        return f"FeolsResult({self.fml!r}, nobs={self.nobs}, vcov={self.vcov_label!r})"
