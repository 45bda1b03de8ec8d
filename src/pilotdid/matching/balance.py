r"""Covariate balance before and after matching: Stata ``pstest, both`` plus MatchIt's SMD.

For covariate x, treated (T) and control (C) groups, unmatched (U: the whole matching sample,
unweighted) and matched (M: rows on support with a ``_weight``, weighted by it, Stata iweights):

- %bias :math:`= 100 (\bar x_T - \bar x_C) / \sqrt{(s^2_{T,U} + s^2_{C,U}) / 2}`; the matched row
  keeps the *unmatched* variances in the denominator (Rosenbaum & Rubin 1985; pstest).
- %reduct \|bias\| :math:`= 100 (1 - |bias_M| / |bias_U|)`.
- t-test: OLS of x on the treatment dummy (weighted in M; residual df = sum of weights - 2).
- V(T)/V(C): variance ratio (weighted variances :math:`\sum w (x - \bar x)^2 / (\sum w - 1)`
  in M), flagged for continuous covariates outside the 2.5/97.5 % quantiles of
  :math:`F(n_T - 1, n_T - 1)`; %Var is the share of flagged continuous covariates.
- Overall: pseudo-R² and LR χ² of a probit of treatment on the covariates (weighted in M), mean
  and median \|%bias\|, Rubin's B :math:`= 100 |\bar m_T - \bar m_C| / \sqrt{(v_T + v_C)/2}`
  and R :math:`= v_T / v_C` of that probit's linear index.
- SMD (MatchIt ``summary``, ATT): :math:`(\bar x_T - \bar x_C) / s_{T,U}`, the denominator being
  the SD of the treated units before matching (``s.d.denom = "treated"``; for a 0/1 covariate
  MatchIt's :math:`\sqrt{p (1 - p)}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from pilotdid.errors import MatchingError
from pilotdid.matching.propensity import fit_binary
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pilotdid.matching.result import MatchResult
    from pilotdid.tables.table import Table

__all__ = ["BalanceTable", "balance_stats", "balance_table"]

COVARIATE_COLUMNS = (
    "mean_treated", "mean_control", "pct_bias", "pct_reduction", "t", "p", "var_ratio",
    "var_flag", "smd",
)  # fmt: skip
OVERALL_COLUMNS = (
    "pseudo_r2", "lr_chi2", "p_chi2", "mean_bias", "median_bias", "rubin_b", "rubin_r", "pct_var",
)  # fmt: skip


@dataclass(frozen=True)
class BalanceTable:
    """The pstest table as data.

    Attributes
    ----------
    covariates : pandas.DataFrame
        MultiIndex (covariate, sample) with sample ``"Unmatched"``/``"Matched"``; columns
        :data:`COVARIATE_COLUMNS` (``pct_reduction`` only on matched rows, ``var_flag`` True
        when the variance ratio is outside the F bounds, NaN ratios for binary covariates).
    overall : pandas.DataFrame
        Index ``"Unmatched"``/``"Matched"``; columns :data:`OVERALL_COLUMNS`.
    model : str
        Link of the balance regressions (pstest uses probit).
    notes : tuple of str
    """

    covariates: pd.DataFrame
    overall: pd.DataFrame
    model: str = "probit"
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the per-covariate statistics (a copy of :attr:`covariates`)."""
        return self.covariates.copy()

    def to_table(
        self, title: str = "Balance test before and after matching", *, language: str = "en"
    ) -> Table:
        """Return the per-covariate pstest table as a :class:`pilotdid.tables.table.Table`.

        Parameters
        ----------
        title : str
            The table's title.
        language : {"en", "zh"}
            Language of the headers and notes (pstest's abbreviations stay as they are).

        Returns
        -------
        Table
            Two rows per covariate (U: unmatched, M: matched).
        """
        from pilotdid.tables.cells import Number
        from pilotdid.tables.table import ColumnGroup, Table

        rows, labels = [], []
        for key, r in self.covariates.iterrows():
            cov, sample = str(key[0]), str(key[1])  # type: ignore[index]
            labels.append(cov if sample == "Unmatched" else "")
            flag = "*" if r["var_flag"] else ""
            rows.append([
                sample[0],
                Number(r["mean_treated"], 3), Number(r["mean_control"], 3),
                Number(r["pct_bias"], 1), Number(r["pct_reduction"], 1),
                Number(r["t"], 2), Number(r["p"], 3),
                Number(r["var_ratio"], 2, stars=flag), Number(r["smd"], 3),
            ])  # fmt: skip
        cols = [_tr("sample", language), _tr("treated", language), _tr("control", language),
                "%bias", "%reduct |bias|", "t", "p>|t|", "V(T)/V(C)", "SMD"]  # fmt: skip
        body = pd.DataFrame(rows, index=labels, columns=cols)
        mean = _tr("mean", language)
        groups = (tuple(ColumnGroup(g) for g in ("", mean, "", "", "", "t-test", "", "", "")),)
        return Table(
            body,
            title=title,
            column_groups=groups,
            stub_header=_tr("variable", language),
            notes=self._notes(language),
            rules=tuple(range(2, len(rows), 2)),
            key="balance",
        )

    def overall_table(
        self, title: str = "Overall balance before and after matching", *, language: str = "en"
    ) -> Table:
        """Return the lower pstest block (pseudo-R², LR χ², mean/median bias, B, R, %Var).

        Parameters
        ----------
        title : str
            The table's title.
        language : {"en", "zh"}
            Language of the row labels and notes.

        Returns
        -------
        Table
            One row before and one after matching.
        """
        from pilotdid.tables.cells import Number
        from pilotdid.tables.table import Table

        dec = {"pseudo_r2": 3, "lr_chi2": 2, "p_chi2": 3, "mean_bias": 1, "median_bias": 1,
               "rubin_b": 1, "rubin_r": 2, "pct_var": 0}  # fmt: skip
        body = self.overall.apply(lambda col: [Number(v, dec[col.name]) for v in col])
        body.columns = ["Ps R2", "LR chi2", "p>chi2", "MeanBias", "MedBias", "B", "R", "%Var"]
        body.index = [_tr(str(i).lower(), language) for i in body.index]
        notes = (_tr("note_rubin", language),)
        return Table(
            body,
            title=title,
            stub_header=_tr("sample", language),
            notes=notes,
            key="balance_overall",
        )

    def _notes(self, language: str = "en") -> tuple[str, ...]:
        # the data-level notes are English; the ones the catalogue knows are translated
        known = {text(f"table.balance.{k}", "en"): f"table.balance.{k}" for k in ("note_unit",)}
        extra = tuple(text(known[n], language) if n in known else n for n in self.notes)
        return (_tr("note_bias", language), _tr("note_var", language), *extra)

    def plot(self, *, language: str = "en") -> Figure:
        """Return pstest's dot plot of %bias per covariate, unmatched vs matched."""
        from pilotdid.matching.figures import plot_bias

        return plot_bias(self, language=language)

    def _repr_html_(self) -> str:
        return self.to_table().to_html() + self.overall_table().to_html()


def _wmean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    W = w.sum()
    m = float(w @ x / W)
    return m, float(w @ (x - m) ** 2 / (W - 1.0))


def _ttest(x: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Return the t statistic and p-value of the treatment coefficient in a (weighted) OLS of x on t."""
    m1 = float(w[t] @ x[t] / w[t].sum())
    m0 = float(w[~t] @ x[~t] / w[~t].sum())
    resid = x - np.where(t, m1, m0)
    df = w.sum() - 2.0
    s2 = float(w @ resid**2) / df
    se = np.sqrt(s2 * (1.0 / w[t].sum() + 1.0 / w[~t].sum()))
    tstat = (m1 - m0) / se
    return float(tstat), float(2 * stats.t.sf(abs(tstat), df))


def _is_binary(x: np.ndarray) -> bool:
    return bool(np.isin(x, (0.0, 1.0)).all())


def _f_bounds(n1: int) -> tuple[float, float]:
    return float(stats.f.ppf(0.025, n1 - 1, n1 - 1)), float(stats.f.ppf(0.975, n1 - 1, n1 - 1))


def _overall(
    X: np.ndarray, t: np.ndarray, w: np.ndarray, names: tuple[str, ...], model: str
) -> dict[str, float]:
    Xc = np.column_stack([X, np.ones(len(X))])
    try:
        fit = fit_binary(Xc, t.astype(float), (*names, "_cons"), model, w)
    except MatchingError:
        # e.g. perfect balance makes no difference, but separation in a tiny matched sample can
        nan = float("nan")
        return {"pseudo_r2": nan, "lr_chi2": nan, "p_chi2": nan, "rubin_b": nan, "rubin_r": nan}
    m1, v1 = _wmean_var(fit.xb[t], w[t])
    m0, v0 = _wmean_var(fit.xb[~t], w[~t])
    return {
        "pseudo_r2": fit.pseudo_r2,
        "lr_chi2": fit.lr_chi2,
        "p_chi2": fit.lr_pvalue,
        "rubin_b": 100.0 * abs(m1 - m0) / np.sqrt((v1 + v0) / 2.0),
        "rubin_r": v1 / v0,
    }


def balance_stats(
    X: np.ndarray,
    treated: np.ndarray,
    matched: np.ndarray,
    weight: np.ndarray,
    names: tuple[str, ...],
    model: str = "probit",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute the pstest statistics from arrays (see the module docstring for the formulas).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, p)
        Covariates of the matching sample.
    treated : numpy.ndarray of bool, shape (n,)
    matched : numpy.ndarray of bool, shape (n,)
        Rows of the matched sample (on support, with a weight).
    weight : numpy.ndarray, shape (n,)
        Matching weights (used where ``matched``).
    names : tuple of str
        Covariate names.
    model : {"probit", "logit"}, default "probit"

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The ``covariates`` and ``overall`` frames of :class:`BalanceTable`.
    """
    t = treated.astype(bool)
    ones = np.ones(len(t))
    tm, wm = t[matched], weight[matched]
    bounds = {"Unmatched": _f_bounds(int(t.sum())), "Matched": _f_bounds(int(tm.sum()))}
    rows, n_cont, n_flag = [], 0, {"Unmatched": 0, "Matched": 0}
    for j, name in enumerate(names):
        x, xm = X[:, j], X[matched, j]
        m1u, v1u = _wmean_var(x[t], ones[t])
        m0u, v0u = _wmean_var(x[~t], ones[~t])
        m1m, v1m = _wmean_var(xm[tm], wm[tm])
        m0m, v0m = _wmean_var(xm[~tm], wm[~tm])
        denom = np.sqrt((v1u + v0u) / 2.0)
        bias_u, bias_m = 100 * (m1u - m0u) / denom, 100 * (m1m - m0m) / denom
        binary = _is_binary(x)
        n_cont += not binary
        # MatchIt: the SD of a binary covariate is sqrt(p (1 - p)), without the n - 1 correction
        sd_smd = np.sqrt(m1u * (1 - m1u)) if binary else np.sqrt(v1u)
        for sample, m1, m0, bias, v1, v0, tt in (
            ("Unmatched", m1u, m0u, bias_u, v1u, v0u, _ttest(x, t, ones)),
            ("Matched", m1m, m0m, bias_m, v1m, v0m, _ttest(xm, tm, wm)),
        ):
            ratio = np.nan if binary else v1 / v0
            lo, hi = bounds[sample]
            flag = bool(not binary and (ratio < lo or ratio > hi))
            n_flag[sample] += flag
            red = 100 * (1 - abs(bias_m) / abs(bias_u)) if sample == "Matched" else np.nan
            rows.append((name, sample, m1, m0, bias, red, *tt, ratio, flag,
                         (m1 - m0) / sd_smd))  # fmt: skip
    cov = pd.DataFrame([r[2:] for r in rows], columns=list(COVARIATE_COLUMNS),
                       index=pd.MultiIndex.from_tuples([r[:2] for r in rows],
                                                       names=["covariate", "sample"]))  # fmt: skip
    overall = {}
    for sample, XX, tt_, ww in (("Unmatched", X, t, ones), ("Matched", X[matched], tm, wm)):
        absb = cov.xs(sample, level="sample")["pct_bias"].abs()
        overall[sample] = {
            **_overall(XX, tt_, ww, names, model),
            "mean_bias": float(absb.mean()),
            "median_bias": float(absb.median()),
            "pct_var": 100.0 * n_flag[sample] / n_cont if n_cont else np.nan,
        }
    return cov, pd.DataFrame(overall).T[list(OVERALL_COLUMNS)]


def balance_table(result: MatchResult, model: str = "probit") -> BalanceTable:
    """Build the pstest balance table of a :class:`MatchResult` on its matching sample.

    Parameters
    ----------
    result : MatchResult
    model : {"probit", "logit"}, default "probit"
        Link of the overall-balance regressions (pstest always uses probit).

    Returns
    -------
    BalanceTable

    Examples
    --------
    >>> import numpy as np, pandas as pd, pilotdid as pdid
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"x": rng.normal(size=500)})
    >>> df["d"] = (df.x + rng.normal(size=500) > 1).astype(int)
    >>> bal = pdid.match(df, "d", ["x"]).balance()
    >>> list(bal.overall.index)
    ['Unmatched', 'Matched']
    """
    if model not in ("probit", "logit"):
        raise MatchingError(f"model={model!r} is not allowed; choose 'probit' or 'logit'.")
    f = result.frame
    names = result.covariates
    matched = ((f["_support"] == 1) & f["_weight"].notna()).to_numpy()
    cov, overall = balance_stats(
        f[list(names)].to_numpy(dtype=float),
        (f["_treated"] == 1).to_numpy(),
        matched,
        f["_weight"].fillna(0.0).to_numpy(),
        tuple(names),
        model,
    )
    notes: tuple[Any, ...] = ()
    if result.panel == "base_year":
        notes = (text("table.balance.note_unit", "en"),)
    return BalanceTable(cov, overall, model, notes)


def _tr(key: str, language: str) -> str:
    return text(f"table.balance.{key}", language)
