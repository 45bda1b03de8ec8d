"""Few-cluster inference for Table 3: when to trust CRV1, and the wild cluster bootstrap.

With few clusters, or few treated clusters, CRV1 standard errors over-reject (Cameron,
Gelbach & Miller 2008; MacKinnon & Webb 2017). ``[inference]`` decides per Table 3 column
whether to add the restricted wild cluster bootstrap (WCR) p-value of the DID coefficient;
the table's notes and the report's reading carry it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from pilotdid.study.config import StudyConfig
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.estimation.result import FeolsResult
    from pilotdid.estimation.wild_result import WildBootstrapResult

__all__ = ["ClusterCount", "WildColumn", "cluster_count", "wild_columns", "wild_notes"]


@dataclass(frozen=True)
class ClusterCount:
    """Clusters of a regression and how many of them are treated.

    Attributes
    ----------
    clusters : int
        Clusters (the smallest dimension under two-way clustering).
    treated : int
        Clusters with at least one row where the DID regressor is non-zero.
    """

    clusters: int
    treated: int


@dataclass(frozen=True)
class WildColumn:
    """The WCR bootstrap of one Table 3 column's DID coefficient.

    Attributes
    ----------
    title : str
        The column's title.
    count : ClusterCount
        Its clusters.
    result : WildBootstrapResult
        The bootstrap.
    """

    title: str
    count: ClusterCount
    result: WildBootstrapResult


def cluster_count(fit: FeolsResult, data: pd.DataFrame, did: str) -> ClusterCount | None:
    """Count the clusters of ``fit`` and the treated ones (None when not clustered).

    Parameters
    ----------
    fit : FeolsResult
        A clustered regression.
    data : pandas.DataFrame
        Its estimation frame (the rows ``fit`` used are those with an observation index).
    did : str
        The DID regressor.

    Returns
    -------
    ClusterCount or None
    """
    if fit.vcov_type != "CRV1" or not fit.cluster:
        return None
    positions = fit.sample_positions
    rows = data if positions is None else data.iloc[positions]
    treated_rows = pd.to_numeric(rows[did], errors="coerce").fillna(0).to_numpy() != 0
    treated = min(int(pd.unique(rows.loc[treated_rows, c]).size) for c in fit.cluster)
    return ClusterCount(int(min(fit.cluster_sizes)), treated)


def wild_columns(
    cfg: StudyConfig, models: Mapping[str, FeolsResult], frames: Mapping[str, pd.DataFrame]
) -> tuple[WildColumn, ...]:
    """Run the WCR bootstrap of the DID coefficient for the Table 3 columns that need it.

    Parameters
    ----------
    cfg : StudyConfig
        The study (``[inference]``).
    models : mapping of str to FeolsResult
        Table 3's columns.
    frames : mapping of str to DataFrame
        Each column's estimation sample.

    Returns
    -------
    tuple of WildColumn
        One per column bootstrapped: all columns with ``wild_bootstrap = true``; with
        ``"auto"`` the columns whose clusters (or treated clusters) are below the thresholds.

    Notes
    -----
    Cost: zero unless a column has few clusters (``"auto"``: below the thresholds); then one
    O(n k²) restricted fit and B bootstrap draws on cluster-level sums (at most 2^G distinct
    sign patterns), so time grows with B × G, not with B × n.
    """
    inf, did = cfg.inference, cfg.treatment.names.did
    if inf.wild_bootstrap is False:
        return ()
    out = []
    for title, fit in models.items():
        count = cluster_count(fit, frames[title], did)
        if count is None or did not in fit.names:
            continue
        few = count.clusters < inf.min_clusters or count.treated < inf.min_treated_clusters
        if inf.wild_bootstrap == "auto" and not few:
            continue
        result = fit.wild_bootstrap(
            did, B=inf.B, weights=inf.weights, seed=cfg.seed_for("inference")
        )
        out.append(WildColumn(title, count, result))
    return tuple(out)


def wild_notes(columns: tuple[WildColumn, ...], titles: list[str], language: str) -> list[str]:
    """Return Table 3's note lines with each bootstrapped column's WCR p-value."""
    if not columns:
        return []
    first = columns[0].result
    draws = (
        text("note.wild_enumerated", language, n=f"{first.B:,}")
        if first.full_enumeration
        else text("note.wild_draws", language, n=f"{first.B:,}", weights=first.weights)
    )
    parts = [
        text(
            "note.wild_column",
            language,
            col=titles.index(c.title) + 1,
            p=f"{c.result.p_value:.3f}",
            g=c.count.clusters,
            gt=c.count.treated,
            lo=f"{c.result.conf_low:.4g}",
            hi=f"{c.result.conf_high:.4g}",
        )
        for c in columns
    ]
    sep = text("word.list_sep", language)
    return [text("note.wild", language, draws=draws, columns=sep.join(parts))]
