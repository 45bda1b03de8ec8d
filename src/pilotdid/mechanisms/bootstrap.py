r"""Cluster bootstrap of the indirect effect :math:`a \cdot b` of the three-step method.

Clusters (units, or a coarser cluster variable that nests them) are drawn with replacement; a
unit drawn twice enters as two units with their own fixed effects. With the unit fixed effect
absorbed within units, both regressions of every bootstrap sample follow from the per-unit
cross-products weighted by how often each unit was drawn (:mod:`pilotdid.estimation.moments`),
so all draws are solved at once. Designs too wide for per-unit moments are resampled and
refitted with :func:`pilotdid.feols` draw by draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, PilotdidWarning
from pilotdid.estimation.design import build_design
from pilotdid.estimation.feols import feols
from pilotdid.estimation.formula import build_formula, parse_formula
from pilotdid.estimation.moments import solve_draws, unit_moments

__all__ = ["bootstrap_blocks", "bootstrap_counts", "bootstrap_indirect", "resample"]


def bootstrap_counts(n_clusters: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """How often each cluster is drawn in each bootstrap sample.

    Each sample draws ``n_clusters`` clusters uniformly with replacement (uniform integers,
    counted per sample): multinomial counts, without the per-category binomial loop of
    :meth:`numpy.random.Generator.multinomial`. Time and memory O(draws · n_clusters).

    Returns
    -------
    numpy.ndarray of int, shape (draws, n_clusters)
        Multinomial counts: each row sums to ``n_clusters`` (sampling clusters with replacement).

    Examples
    --------
    >>> bootstrap_counts(4, 2, np.random.default_rng(0)).sum(axis=1).tolist()
    [4, 4]
    """
    picks = rng.integers(0, n_clusters, size=(draws, n_clusters))
    picks += (np.arange(draws) * n_clusters)[:, None]
    counts = np.bincount(picks.ravel(), minlength=draws * n_clusters)
    return counts.reshape(draws, n_clusters)


def bootstrap_blocks(
    n_clusters: int, draws: int, rng: np.random.Generator, width: int
) -> Iterator[np.ndarray]:
    """Yield :func:`bootstrap_counts` in blocks of at most ``width`` samples (bounded memory).

    Examples
    --------
    >>> [b.shape for b in bootstrap_blocks(3, 5, np.random.default_rng(0), 2)]
    [(2, 3), (2, 3), (1, 3)]
    """
    for first in range(0, draws, max(1, width)):
        yield bootstrap_counts(n_clusters, min(max(1, width), draws - first), rng)


def bootstrap_indirect(
    sample: pd.DataFrame,
    outcome: str,
    mediator: str,
    treatment: str,
    controls: tuple[str, ...],
    fe: tuple[str, ...],
    unit: str,
    cluster: str,
    weights: str | None,
    counts: Iterable[np.ndarray],
) -> np.ndarray:
    r"""Indirect effect :math:`a \cdot b` in every bootstrap sample.

    Time O(n·p² + B·N·p² + B·p³), memory O(N·p² + one block of counts) for ``p`` moment
    columns (variables and dummies of the fixed effects other than the unit's).

    Parameters
    ----------
    sample : pandas.DataFrame
        The common sample of the three steps (complete rows only).
    outcome, mediator, treatment : str
        Columns ``Y``, ``M`` and ``D``.
    controls : tuple of str
        Control columns.
    fe : tuple of str
        Fixed effects.
    unit : str
        Unit column (duplicated units become new units).
    cluster : str
        Resampled cluster column (the unit, or a column nesting units).
    weights : str or None
        Column of analytic weights.
    counts : iterable of numpy.ndarray of int, shape (b, n_clusters)
        Blocks of draw counts of the clusters (:func:`bootstrap_blocks`), ordered as
        ``pandas.factorize(sample[cluster], sort=True)``; ``B`` samples in all.

    Returns
    -------
    numpy.ndarray, shape (B,)
        :math:`\hat a_b \hat b_b`; NaN where ``a`` or ``b`` is not identified in a draw.
    """
    parts = [tuple(p.strip() for p in f.split("^")) for f in fe]
    fml_a = build_formula(mediator, [treatment, *controls], parts)
    spec = parse_formula(build_formula(outcome, [treatment, mediator, *controls], parts))
    design = build_design(spec, sample, weights=weights, extra_columns=[unit, cluster])
    rows = sample.iloc[design.rows]
    unit_code, units = pd.factorize(rows[unit], sort=True)
    cluster_code = pd.factorize(rows[cluster], sort=True)[0]
    keep = [j for j, name in enumerate(design.names) if name != "Intercept"]
    names = (outcome, *(design.names[j] for j in keep))
    values = np.column_stack([design.y, design.x[:, keep]])
    unit_fe = spec.fixef.index(unit) if unit in spec.fixef else None
    moments = unit_moments(values, names, unit_code, len(units), design.fe, unit_fe, design.weights)
    if moments is None:
        return _loop(
            sample, (fml_a, spec.text), (mediator, treatment), unit, cluster, weights, counts
        )
    cluster_of_unit = np.empty(len(units), dtype=np.int64)
    cluster_of_unit[unit_code] = cluster_code
    y, d, m = moments.index(outcome), moments.index(treatment), moments.index(mediator)
    others = [j for j in range(1, moments.width) if j not in (d, m)]
    out = []
    for block in counts:
        sums = moments.sums(block[:, cluster_of_unit].astype(np.float64))
        a = solve_draws(sums, moments.scale, m, [d, *others], 0).target
        b = solve_draws(sums, moments.scale, y, [m, d, *others], 0).target
        out.append(a * b)
    return np.concatenate(out) if out else np.empty(0)


def resample(sample: pd.DataFrame, unit: str, cluster: str, counts: np.ndarray) -> pd.DataFrame:
    """One bootstrap sample: clusters repeated ``counts`` times, each copy of a unit a new unit.

    Time and memory O(n) (the resampled rows).

    Parameters
    ----------
    sample : pandas.DataFrame
        The data.
    unit, cluster : str
        Unit and cluster columns.
    counts : numpy.ndarray of int, shape (n_clusters,)
        Draw count of each cluster (ordered as ``pandas.factorize(..., sort=True)``).

    Returns
    -------
    pandas.DataFrame
        The resampled rows; ``unit`` holds new integer ids (unit × copy).
    """
    cluster_code = pd.factorize(sample[cluster], sort=True)[0]
    unit_code = pd.factorize(sample[unit], sort=True)[0]
    reps = counts[cluster_code]
    idx = np.repeat(np.arange(len(sample)), reps)
    # copy number of each repeated row: position within its run of repeats
    copy = np.arange(idx.size) - np.repeat(np.cumsum(reps) - reps, reps)
    new_unit = unit_code[idx] * (int(counts.max()) + 1) + copy
    return sample.iloc[idx].assign(**{unit: new_unit})


def _loop(
    sample: pd.DataFrame,
    formulas: tuple[str, str],
    terms: tuple[str, str],
    unit: str,
    cluster: str,
    weights: str | None,
    counts: Iterable[np.ndarray],
) -> np.ndarray:
    """Refit both regressions on each resampled data set (designs too wide for moments)."""
    (fml_a, fml_b), (mediator, treatment) = formulas, terms
    rows = [row for block in counts for row in block]
    out = np.full(len(rows), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        for r, row in enumerate(rows):
            boot = resample(sample, unit, cluster, row)
            try:
                a = feols(fml_a, boot, vcov="iid", weights=weights).coef()[treatment]
                b = feols(fml_b, boot, vcov="iid", weights=weights).coef()[mediator]
            except (KeyError, EstimationError):  # a draw without variation: left out, counted
                continue
            out[r] = a * b
    return out
