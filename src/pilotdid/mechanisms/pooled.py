r"""The fully interacted pooled model behind the test of a difference between group coefficients.

Every term of the specification is interacted with the group dummies and every fixed effect
with the group (``unit^group + year^group``):

.. math::

    y_{it} = \sum_g 1[g_{it} = g]\,(\beta_g D_{it} + X_{it}'\gamma_g)
             + \mu_{i,g} + \lambda_{t,g} + \varepsilon_{it}.

Nothing is shared across groups, so the normal equations are block-diagonal and each
:math:`\hat\beta_g` equals the coefficient of the separate regression on group ``g`` exactly. The
pooled fit adds what the separate fits cannot give: the covariance of the group coefficients
under one cluster-robust variance (clusters by unit may span groups when rows are classified
by their current value), hence the standard error of :math:`\hat\beta_g - \hat\beta_{ref}`.
Its standard errors differ slightly from the split regressions' because the small-sample factor
counts the pooled sample (Chow's test with clustered errors; Stata's ``suest`` is similar).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from pilotdid.estimation.design import Design, build_design
from pilotdid.estimation.feols import VcovSpec, feols
from pilotdid.estimation.formula import FormulaSpec, build_formula, cluster_argument, quote_name
from pilotdid.estimation.result import FeolsResult
from pilotdid.estimation.wald import wald_test

__all__ = ["GROUP_COLUMN", "contrasts", "joint_test", "pooled_model", "vcov_spec"]

#: Name of the group-code column of the pooled frame.
GROUP_COLUMN = "_pdid_group"


def vcov_spec(kind: str, cluster: tuple[str, ...]) -> VcovSpec:
    """Turn a parsed ``(kind, cluster)`` pair back into a vcov argument of :func:`pilotdid.feols`."""
    return cluster_argument(cluster) if kind == "CRV1" else kind


def pooled_model(
    spec: FormulaSpec,
    sample: pd.DataFrame,
    groups: np.ndarray,
    labels: tuple[str, ...],
    vcov: VcovSpec,
    cluster: tuple[str, ...],
    weights: str | None,
) -> FeolsResult:
    """Fit the fully interacted model on the rows of ``sample`` (one group code per row).

    ``K`` groups and ``k`` regressors give ``K·k`` columns: time O(n·K²·k²), memory O(n·K·k).

    Parameters
    ----------
    spec : FormulaSpec
        The group-level specification.
    sample : pandas.DataFrame
        Rows in some group.
    groups : numpy.ndarray of int, shape (len(sample),)
        Group code of each row.
    labels : tuple of str
        Group labels; coefficient ``"TP:High RD"`` is ``TP`` in group ``High RD``.
    vcov : str or dict
        Variance estimator (its clusters resolved against the original formula).
    cluster : tuple of str
        Cluster variables (kept in the pooled frame).
    weights : str or None
        Column of analytic weights.

    Returns
    -------
    FeolsResult
        Coefficients named ``term:label``.
    """
    design = build_design(spec, sample, weights=weights, extra_columns=cluster)
    frame, fml, names = _interacted_frame(spec, sample, design, groups, labels, cluster)
    fit = feols(fml, frame, vcov=vcov, weights="_pdid_w" if weights else None)
    terms = [t for t in design.names if t != "Intercept"]
    readable = " + ".join(f"{quote_name(t)}:[group]" for t in terms)
    fe = " + ".join(f"{_quoted_fixef(f)}^group" for f in spec.fixef_parts) or "group"
    renamed = tuple(names[fit_name] for fit_name in fit.names)
    return replace(
        fit,
        names=renamed,
        depvar=spec.depvar,
        fml=f"{spec.lhs} ~ {readable} | {fe}",
        collinear=tuple(names.get(c, c) for c in fit.collinear),
    )


def _interacted_frame(
    spec: FormulaSpec,
    sample: pd.DataFrame,
    design: Design,
    groups: np.ndarray,
    labels: tuple[str, ...],
    cluster: tuple[str, ...],
) -> tuple[pd.DataFrame, str, dict[str, str]]:
    """Build the pooled model's data (safe column names), its formula and safe → readable names."""
    group = groups[design.rows]
    columns: dict[str, np.ndarray] = {"_pdid_y": design.y}
    names: dict[str, str] = {}
    for j, term in enumerate(design.names):
        if term == "Intercept":  # group intercepts come from the group fixed effect
            continue
        for g, label in enumerate(labels):
            safe = f"_pdid_x{j}_g{g}"
            columns[safe] = np.where(group == g, design.x[:, j], 0.0)
            names[safe] = f"{term}:{label}"
    rows = sample.iloc[design.rows]
    for col in dict.fromkeys([*spec.fixef_columns, *cluster]):
        columns[col] = rows[col].to_numpy()
    columns[GROUP_COLUMN] = group
    if design.weights is not None:
        columns["_pdid_w"] = design.weights
    fixef: list[tuple[str, ...]] = [(*p, GROUP_COLUMN) for p in spec.fixef_parts] or [
        (GROUP_COLUMN,)
    ]
    fml = build_formula("_pdid_y", list(names), fixef)
    return pd.DataFrame(columns), fml, names


def _quoted_fixef(parts: tuple[str, ...]) -> str:
    return "^".join(quote_name(p) for p in parts)


def contrasts(
    pooled: FeolsResult,
    treatment: str,
    labels: tuple[str, ...],
    reference: int,
    level: float = 0.95,
) -> pd.DataFrame:
    """Differences of the treatment coefficient between each group and the reference group.

    Returns
    -------
    pandas.DataFrame
        One row per contrast (``"High RD − Low RD"``): ``estimate``, ``std_error``,
        ``statistic``, ``p_value``, ``conf_low``, ``conf_high`` (t with the pooled model's
        degrees of freedom).
    """
    from scipy import stats

    coef, vcov = pooled.coef_values, pooled.vcov_matrix
    ref = pooled.names.index(f"{treatment}:{labels[reference]}")
    rows = {}
    q = stats.t.ppf(0.5 + level / 2, pooled.df_t)
    for g, label in enumerate(labels):
        if g == reference:
            continue
        term = pooled.names.index(f"{treatment}:{label}")
        diff = float(coef[term] - coef[ref])
        var = float(vcov[term, term] + vcov[ref, ref] - 2 * vcov[term, ref])
        se = float(np.sqrt(var))
        t = diff / se
        rows[f"{label} − {labels[reference]}"] = {
            "estimate": diff,
            "std_error": se,
            "statistic": t,
            "p_value": float(2 * stats.t.sf(abs(t), pooled.df_t)),
            "conf_low": diff - q * se,
            "conf_high": diff + q * se,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "contrast"
    return frame


def joint_test(
    pooled: FeolsResult, treatment: str, labels: tuple[str, ...], reference: int
) -> dict[str, float]:
    """Wald F test that the treatment coefficient is equal in every group.

    Returns
    -------
    dict
        ``statistic`` (F), ``df_num`` (groups − 1), ``df_den`` (the pooled t degrees of freedom)
        and ``p_value``.
    """
    terms = [pooled.names.index(f"{treatment}:{label}") for label in labels]
    others = [g for g in range(len(labels)) if g != reference]
    contrast = np.zeros((len(others), len(labels)))
    contrast[np.arange(len(others)), others] = 1.0
    contrast[:, reference] = -1.0
    test = wald_test(
        pooled.coef_values[terms],
        pooled.vcov_matrix[np.ix_(terms, terms)],
        pooled.df_t,
        contrast,
    )
    return {
        "statistic": test.statistic,
        "df_num": test.df_num,
        "df_den": test.df_den,
        "p_value": test.p_value,
    }
