"""Size of the difference tests under no true difference (slow: hundreds of simulated panels)."""

import warnings

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.errors import PilotdidWarning

from .conftest import mech_panel

N_PANELS = 300
FML = "y ~ did + x1 + x2 | unit + year"


def rejection_rates(**panel):
    p = {"pooled": [], "perm": [], "perm_wald": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PilotdidWarning)
        for seed in range(N_PANELS):
            df = mech_panel(n_units=80, n_periods=8, seed=1000 + seed, het=0.0, **panel)
            res = pdid.heterogeneity(df, FML, "z", permutations=199, seed=seed)
            row = res.differences.iloc[0]
            p["pooled"].append(row["p_value"])
            p["perm"].append(row["p_perm"])
            p["perm_wald"].append(row["p_perm_wald"])
    return {k: np.asarray(v) for k, v in p.items()}


@pytest.mark.slow
@pytest.mark.parametrize("z_on_treat", [0.0, 1.0], ids=["independent", "split_tracks_treatment"])
def test_pvalues_are_roughly_uniform_without_a_difference(z_on_treat):
    pvalues = rejection_rates(z_on_treat=z_on_treat)
    # binomial sd of a 5% rate over 300 panels is 1.26 points: accept 1.5% to 9%
    for name, p in pvalues.items():
        rate = float(np.mean(p < 0.05))
        assert 0.015 <= rate <= 0.09, f"{name}: rejection rate {rate:.3f} at 5%"
        # and the whole distribution: no decile holds more than twice its share
        counts = np.histogram(p, bins=10, range=(0, 1))[0]
        assert counts.max() < 2 * N_PANELS / 10, f"{name}: deciles {counts.tolist()}"
