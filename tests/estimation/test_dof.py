"""The degrees-of-freedom rule on a tiny irregular panel, computed by hand."""

import numpy as np
import pandas as pd

import pilotdid as pdid

# 3 units, 3 years, unit 2 misses year 3 (8 rows); one regressor.
TINY = pd.DataFrame(
    {
        "unit": [1, 1, 1, 2, 2, 3, 3, 3],
        "year": [1, 2, 3, 1, 2, 1, 2, 3],
        "x": [0.0, 1.0, 3.0, 2.0, 2.5, -1.0, 0.5, 1.0],
        "y": [1.0, 2.5, 4.0, 3.0, 2.0, 0.0, 1.0, 3.5],
    }
)


def test_hand_computed_degrees_of_freedom():
    n = 8
    iid = pdid.feols("y ~ x | unit + year", TINY, vcov="iid")
    # K = 1 slope + 3 unit + 3 year - 1 reference = 6, so n - K = 2
    assert iid.df_k == 6 and iid.df_t == 2
    sigma2 = iid.ssr / (n - 6)
    bread = 1.0 / (iid._state.x[:, 0] @ iid._state.x[:, 0])
    np.testing.assert_allclose(iid.se()["x"] ** 2, sigma2 * bread, rtol=1e-12)

    crv = pdid.feols("y ~ x | unit + year", TINY, vcov={"CRV1": "unit"})
    # unit FE nested in the cluster: K = 1 + (3 + 3 - 1) - 3 + 1 = 4; G = 3, t with 2 df
    assert crv.df_k == 4 and crv.df_t == 2
    x, e = crv._state.x[:, 0], crv._state.we
    sums = pd.Series(x * e).groupby(TINY["unit"].to_numpy()).sum().to_numpy()
    by_hand = (sums @ sums) / (x @ x) ** 2 * (3 / 2) * (n - 1) / (n - 4)
    np.testing.assert_allclose(crv.se()["x"] ** 2, by_hand, rtol=1e-12)

    hetero = pdid.feols("y ~ x | unit + year", TINY, vcov="hetero")
    by_hand = np.sum((x * e) ** 2) / (x @ x) ** 2 * n / (n - 6)
    np.testing.assert_allclose(hetero.se()["x"] ** 2, by_hand, rtol=1e-12)
