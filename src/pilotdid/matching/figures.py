"""Matching figures (matplotlib, returned and never shown).

- :func:`plot_pscore_density`: score densities of treated vs controls before and after matching
  (the ``kdensity _pscore if treat==1, addplot(kdensity _pscore if treat==0)`` pair).
- :func:`plot_common_support`: psgraph's histogram of the score by treatment and support.
- :func:`plot_bias`: pstest's dot plot of %bias per covariate, unmatched vs matched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pilotdid.tables.fonts import in_figure_language
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pilotdid.matching.balance import BalanceTable
    from pilotdid.matching.result import MatchResult

__all__ = ["plot_bias", "plot_common_support", "plot_pscore_density"]


#: Above this many scores the density is computed from 4,096 bins (the figure is the same to
#: the eye; scipy's exact KDE costs O(n × grid) and took seconds for 100,000 firms).
BINNED_ABOVE = 20_000
_BINS = 4096


def _density(ax: Axes, x: np.ndarray, w: np.ndarray | None, label: str, style: str) -> None:
    from scipy.stats import gaussian_kde

    keep = np.isfinite(x)
    x = x[keep]
    w = None if w is None else w[keep]
    if len(x) < 2 or np.ptp(x) == 0:
        return
    grid = np.linspace(max(0.0, x.min() - 0.05), min(1.0, x.max() + 0.05), 256)
    if len(x) > BINNED_ABOVE:
        ax.plot(grid, binned_kde(x, w, grid), style, label=label, color="black")
        return
    kde = gaussian_kde(x, weights=w)
    ax.plot(grid, kde(grid), style, label=label, color="black")


def binned_kde(x: np.ndarray, w: np.ndarray | None, grid: np.ndarray) -> np.ndarray:
    """Gaussian KDE of ``x`` at ``grid`` with scipy's (Scott) bandwidth, from binned data.

    The scores are summed into 4,096 equal bins (``np.bincount``: O(n)) and the kernel is
    evaluated from bin centres to the grid (O(bins × grid)), so memory and time no longer grow
    with n × grid. Bin width is range/4,096, far below the bandwidth at the sizes this is used
    for, so the curve matches :class:`scipy.stats.gaussian_kde` to plotting precision.

    Examples
    --------
    >>> from scipy.stats import gaussian_kde
    >>> x = np.random.default_rng(0).beta(2, 5, 50_000)
    >>> grid = np.linspace(0.0, 1.0, 64)
    >>> bool(np.abs(binned_kde(x, None, grid) - gaussian_kde(x)(grid)).max() < 1e-3)
    True
    """
    weights = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    weights = weights / weights.sum()
    neff = 1.0 / float(weights @ weights)
    mean = float(weights @ x)
    var = float(weights @ (x - mean) ** 2) / (1.0 - float(weights @ weights))
    bw = np.sqrt(var) * neff ** (-1.0 / 5.0)  # scipy's Scott factor times the weighted SD
    lo, hi = float(x.min()), float(x.max())
    width = (hi - lo) / _BINS
    index = np.minimum(((x - lo) / width).astype(np.int64), _BINS - 1)
    mass = np.bincount(index, weights=weights, minlength=_BINS)
    centres = lo + (np.arange(_BINS) + 0.5) * width
    z = (grid[:, None] - centres[None, :]) / bw
    return np.asarray(np.exp(-0.5 * z * z) @ mass / (bw * np.sqrt(2.0 * np.pi)))


@in_figure_language
def plot_pscore_density(
    result: MatchResult, weighted: bool = True, *, language: str = "en"
) -> Figure:
    """Kernel densities of the propensity score, before (left) and after (right) matching.

    Parameters
    ----------
    result : MatchResult
    weighted : bool, default True
        Weight the matched controls by ``_weight`` (False: each used control once, as the
        Stata ``kdensity _pscore if _weight != .`` recipe).
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    def tr(key: str) -> str:
        return text(f"fig.match.{key}", language)

    f = result.frame
    p, t = f["_pscore"].to_numpy(), (f["_treated"] == 1).to_numpy()
    m = f["_weight"].notna().to_numpy() & (f["_support"] == 1).to_numpy()
    fig = Figure(figsize=(9, 3.6))
    before, after = fig.subplots(1, 2, sharey=True)
    _density(before, p[t], None, tr("treated"), "-")
    _density(before, p[~t], None, tr("control"), "--")
    w = f["_weight"].to_numpy()
    _density(after, p[t & m], None, tr("treated"), "-")
    _density(after, p[~t & m], w[~t & m] if weighted else None, tr("control"), "--")
    for ax, title in ((before, tr("before")), (after, tr("after"))):
        ax.set_title(title)
        ax.set_xlabel(tr("score"))
        ax.legend(frameon=False)
    before.set_ylabel(tr("density"))
    fig.tight_layout()
    return fig


@in_figure_language
def plot_common_support(result: MatchResult, bins: int = 20, *, language: str = "en") -> Figure:
    """psgraph: histogram of the score, treated (on/off support) above, untreated below.

    Parameters
    ----------
    result : MatchResult
    bins : int, default 20
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    def tr(key: str) -> str:
        return text(f"fig.match.{key}", language)

    f = result.frame
    p, t = f["_pscore"].to_numpy(), (f["_treated"] == 1).to_numpy()
    on = (f["_support"] == 1).to_numpy()
    edges = np.linspace(np.nanmin(p), np.nanmax(p), bins + 1)
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    width = np.diff(edges)
    h_on, _ = np.histogram(p[t & on], edges)
    h_off, _ = np.histogram(p[t & ~on], edges)
    h_c, _ = np.histogram(p[~t], edges)
    ax.bar(edges[:-1], h_on, width, align="edge", color="0.35", label=tr("on_support"))
    ax.bar(edges[:-1], h_off, width, bottom=h_on, align="edge", color="0.8",
           edgecolor="0.35", label=tr("off_support"))  # fmt: skip
    ax.bar(edges[:-1], -h_c, width, align="edge", color="white", edgecolor="0.2",
           label=tr("untreated"))  # fmt: skip
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel(tr("score"))
    ax.set_ylabel(tr("frequency"))
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


@in_figure_language
def plot_bias(balance: BalanceTable, *, language: str = "en") -> Figure:
    """Plot pstest's ``graph``: standardised %bias per covariate, unmatched (o) vs matched (x).

    Parameters
    ----------
    balance : BalanceTable
    language : {"en", "zh"}
        Label language.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    def tr(key: str) -> str:
        return text(f"fig.match.{key}", language)

    bias = balance.covariates["pct_bias"].unstack("sample")
    bias = bias.sort_values("Unmatched")
    fig = Figure(figsize=(6, 0.4 * len(bias) + 1.5))
    ax = fig.subplots()
    y = np.arange(len(bias))
    ax.scatter(bias["Unmatched"], y, marker="o", color="black", label=tr("unmatched"))
    ax.scatter(bias["Matched"], y, marker="x", color="black", label=tr("matched"))
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.set_yticks(y, [str(i) for i in bias.index])
    ax.set_xlabel(tr("bias"))
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
