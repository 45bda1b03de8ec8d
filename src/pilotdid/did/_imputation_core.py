"""Pieces of the imputation estimator: identification check and the pre-trend scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from pilotdid.did._rollout import listed_values
from pilotdid.estimation.demean import Absorber
from pilotdid.estimation.fixef import FixedEffects

__all__ = ["cluster_sums", "identification_problem", "lead_scores"]


def cluster_sums(code: np.ndarray, n_levels: int, values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (shape n or n × R) within the groups of ``code``.

    Examples
    --------
    >>> cluster_sums(np.array([0, 1, 0]), 2, np.array([[1.0], [2.0], [3.0]])).ravel().tolist()
    [4.0, 2.0]
    """
    if values.ndim == 1:
        return np.bincount(code, weights=values, minlength=n_levels)
    summer = sp.csr_matrix(
        (np.ones(code.size), (code, np.arange(code.size))), shape=(n_levels, code.size)
    )
    return np.asarray(summer @ values)


def identification_problem(
    fe: FixedEffects, treated: np.ndarray, frame: pd.DataFrame, fixef: Sequence[str]
) -> str | None:
    """Why the fixed effects of some treated observation cannot be estimated, or ``None``.

    Every level of every fixed effect seen among treated rows must be seen among untreated
    rows (a unit needs an untreated period, a period an untreated unit), and a treated row's
    levels must be connected through the untreated rows (for two factors this is exact).

    Parameters
    ----------
    fe : FixedEffects
        Codes of the fixed effects on ``frame``'s rows.
    treated : numpy.ndarray of bool
        Treated rows (period >= adoption).
    frame : pandas.DataFrame
        The rows (for the labels in the message).
    fixef : sequence of str
        The fixed-effect specifications (``"a^b"`` allowed), in the order of ``fe``.

    Returns
    -------
    str or None
        One sentence naming the unidentified levels and the fix.
    """
    untreated = ~treated
    for j, (code, n_levels) in enumerate(zip(fe.codes, fe.n_levels, strict=True)):
        seen0 = np.bincount(code[untreated], minlength=n_levels) > 0
        bad = treated & ~seen0[code]
        if bad.any():
            columns = fixef[j].split("^")
            labels = frame.loc[bad, columns].drop_duplicates()
            shown = listed_values(
                "/".join(str(v) for v in row) for row in labels.itertuples(index=False)
            )
            what, fix = (
                ("have no untreated observation (treated from their first observed period)",
                 "drop them (always treated)")
                if j == 0
                else ("have no untreated observation (every unit already treated then)",
                      "drop those rows or add units still untreated there")
            )  # fmt: skip
            return (
                f"{fixef[j]} {shown} {what}, so their fixed effects cannot be estimated from "
                f"untreated observations ({int(bad.sum()):,} treated rows); {fix}"
            )
    if len(fe.codes) < 2:
        return None
    offsets = np.concatenate([[0], np.cumsum(fe.n_levels)])
    rows0 = np.flatnonzero(untreated)
    first = fe.codes[0][rows0]
    heads = np.concatenate([first] * (len(fe.codes) - 1))
    tails = np.concatenate([fe.codes[j][rows0] + offsets[j] for j in range(1, len(fe.codes))])
    n_nodes = int(offsets[-1])
    graph = sp.coo_matrix((np.ones(heads.size), (heads, tails)), shape=(n_nodes, n_nodes))
    _, component = connected_components(graph, directed=False)
    rows1 = np.flatnonzero(treated)
    home = component[fe.codes[0][rows1]]
    split = np.zeros(rows1.size, dtype=bool)
    for j in range(1, len(fe.codes)):
        split |= component[fe.codes[j][rows1] + offsets[j]] != home
    if split.any():
        keys = frame.iloc[rows1[split]].index
        return (
            f"{int(split.sum()):,} treated rows (e.g. index {listed_values(keys)}) link "
            f"{' and '.join(fixef)} levels that no chain of untreated observations connects, so "
            "their untreated outcome is not identified; drop them or add untreated observations"
        )
    return None


def lead_scores(
    absorber: Absorber,
    leads: np.ndarray,
    tilde: np.ndarray,
    clusters: np.ndarray,
    n_clusters: int,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Lead coefficients on the untreated rows and their per-cluster influence sums.

    Parameters
    ----------
    absorber : Absorber
        The fixed effects of the untreated rows.
    leads : numpy.ndarray, shape (n0, p)
        Lead indicators.
    tilde : numpy.ndarray, shape (n0, 1 + k)
        The outcome and the controls, fixed effects absorbed.
    clusters : numpy.ndarray of int, shape (n0,)
        Cluster codes.
    n_clusters : int
        Number of clusters.

    Returns
    -------
    tuple of numpy.ndarray
        The ``p`` lead coefficients and the ``n_clusters × p`` sums of
        :math:`(\tilde Z'\tilde Z)^{-1}\tilde z_{it}\hat e_{it}` (their variance is ``S'S``).
    """
    p = leads.shape[1]
    z = np.column_stack([absorber.demean(leads), tilde[:, 1:]])
    inv = np.linalg.pinv(z.T @ z)
    coef = inv @ (z.T @ tilde[:, 0])
    resid = tilde[:, 0] - z @ coef
    influence = z @ inv[:, :p]
    return coef[:p], cluster_sums(clusters, n_clusters, influence * resid[:, None])
