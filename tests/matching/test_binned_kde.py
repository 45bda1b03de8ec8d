"""The propensity-score density figure at firm scale: binned KDE (#19)."""

import numpy as np
from scipy.stats import gaussian_kde

from pilotdid.matching import figures
from pilotdid.matching.figures import binned_kde


def test_binned_kde_matches_scipy_weighted():
    rng = np.random.default_rng(0)
    x = rng.beta(2, 5, 60_000)
    w = rng.integers(1, 4, 60_000).astype(float)
    grid = np.linspace(0.0, 1.0, 128)
    exact = gaussian_kde(x, weights=w)(grid)
    np.testing.assert_allclose(binned_kde(x, w, grid), exact, atol=2e-3 * exact.max())


def test_large_samples_do_not_call_scipy(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import scipy.stats
    from matplotlib.figure import Figure

    monkeypatch.setattr(scipy.stats, "gaussian_kde", lambda *a, **k: 1 / 0)
    ax = Figure().subplots()
    x = np.random.default_rng(1).random(figures.BINNED_ABOVE + 1)
    figures._density(ax, x, None, "treated", "-")
    assert len(ax.lines) == 1
