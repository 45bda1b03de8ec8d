"""PRODY, EXPY and RCA against a direct numpy computation, hand-computed numbers and invariances."""

import numpy as np
import pandas as pd
import pytest

from pilotdid.errors import MeasureError
from pilotdid.measures import city_esf, expy, prody, rca
from tests.measures.reference import (
    expy_reference,
    prody_year,
    prody_yearly,
    quality_prody_year,
    random_trade,
    rca_reference,
)


@pytest.fixture(scope="module")
def data():
    return random_trade(seed=3)


def _series(result, value, keys):
    return result.data.set_index(list(keys))[value].sort_index()


def test_yearly_prody_matches_numpy(data):
    trade, gdp = data
    got = _series(prody(trade, gdp), "prody", ["t", "k"])
    want = prody_yearly(trade, gdp).sort_index()
    pd.testing.assert_index_equal(got.index, want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)


def test_min_exports_drops_small_exporters(data):
    trade, gdp = data
    totals = trade.groupby(["t", "i"]).v.sum()
    cut = float(totals.quantile(0.4))
    r = prody(trade, gdp, min_exports=cut)
    want = prody_yearly(trade, gdp, min_exports=cut).sort_index()
    np.testing.assert_allclose(
        _series(r, "prody", ["t", "k"]).to_numpy(), want.to_numpy(), rtol=1e-12
    )
    assert any("below min_exports" in n for n in r.notes)
    dropped = int((totals < cut).sum())
    assert any(f"{dropped:,} exporter-years with total exports below" in n for n in r.notes)


def test_fixed_base_is_the_mean_of_the_yearly_prody(data):
    trade, gdp = data
    r = prody(trade, gdp, years=[2017, 2018])
    assert r.keys == ("k",) and "t" not in r.data
    yearly = prody_yearly(trade[trade.t.isin([2017, 2018])], gdp)
    want = yearly.groupby("k").mean().sort_index()
    np.testing.assert_allclose(_series(r, "prody", ["k"]).to_numpy(), want.to_numpy(), rtol=1e-12)
    assert r.data.n_years.max() == 2


def test_rolling_base_averages_the_last_years(data):
    trade, gdp = data
    r = prody(trade, gdp, window=2)
    yearly = prody_yearly(trade, gdp)
    got = _series(r, "prody", ["t", "k"])
    for t in (2017, 2018, 2019):
        parts = [yearly.loc[s] for s in (t - 1, t) if s in yearly.index.get_level_values(0)]
        want = pd.concat(parts, axis=1).mean(axis=1).sort_index()
        np.testing.assert_allclose(got.loc[t].to_numpy(), want.to_numpy(), rtol=1e-12)


def test_quality_adjusted_prody_matches_numpy(data):
    trade, gdp = data
    r = prody(trade, gdp, quantity="q", quality_adjusted=True, theta=0.3)
    got = r.data.set_index(["t", "i", "k"])["prody"].sort_index()
    want = pd.concat(
        {t: quality_prody_year(trade, gdp, t, 0.3) for t in (2017, 2018, 2019)},
        names=["t", "i", "k"],
    ).sort_index()
    pd.testing.assert_index_equal(got.index, want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)
    # the unadjusted column is the HHR PRODY
    hhr = r.data.drop_duplicates(["t", "k"]).set_index(["t", "k"])["prody_hhr"].sort_index()
    np.testing.assert_allclose(hhr.to_numpy(), prody_yearly(trade, gdp).loc[hhr.index].to_numpy())


def test_expy_of_regions_matches_numpy(data):
    trade, gdp = data
    p = prody(trade, gdp)
    regional, _ = random_trade(seed=9, n_countries=5, n_products=20)
    regional = regional.rename(columns={"i": "province"})
    # the region file has HS8 codes: the first six digits are PRODY's HS6 codes
    regional["k"] = regional["k"] + "01"
    e = expy(regional, p, level="province", digits=8)
    hs6 = regional.assign(k=regional.k.str[:6])
    want = expy_reference(hs6, prody_yearly(trade, gdp), "province").sort_index()
    got = _series(e, "expy", ["t", "province"])
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-12)
    assert e.data.unmatched_share.between(0, 1).all() and e.data.unmatched_share.max() > 0


def test_quality_adjusted_expy_of_countries_uses_their_own_adjusted_prody(data):
    trade, gdp = data
    p = prody(trade, gdp, quantity="q", quality_adjusted=True)
    e = expy(trade, p, level="i", quantity="q", quality_adjusted=True)
    adj = p.data
    sub = trade[(trade.v > 0) & (trade.q > 0)].groupby(["t", "i", "k"]).v.sum()
    full = trade.groupby(["t", "i", "k"]).v.sum()
    m = adj.set_index(["t", "i", "k"])["prody"]
    x = full.loc[m.index]
    want = (x * m).groupby(["t", "i"]).sum() / x.groupby(["t", "i"]).sum()
    got = _series(e, "expy", ["t", "i"])
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-12)
    assert len(sub) > 0


def test_fixed_base_prody_serves_every_year_of_expy(data):
    trade, gdp = data
    p = prody(trade, gdp, years=[2017])
    e = expy(trade, p, level="i")
    want = expy_reference(trade, prody_year(trade, gdp, 2017), "i", by_year=False).sort_index()
    got = _series(e, "expy", ["t", "i"])
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-12)
    assert set(e.data.t) == {2017, 2018, 2019}


def test_rca_matches_numpy(data):
    trade, _ = data
    got = _series(rca(trade), "rca", ["t", "i", "k"])
    want = rca_reference(trade).sort_index()
    np.testing.assert_allclose(got.to_numpy(), want.loc[got.index].to_numpy(), rtol=1e-12)
    assert len(got) == len(want)


# --- hand-computed: 3 countries x 4 products -------------------------------------------------
HAND = pd.DataFrame(
    [("A", "X", "010100", 1.0), ("A", "Y", "010100", 1.0), ("A", "X", "010200", 2.0),
     ("B", "X", "010100", 1.0), ("B", "X", "010200", 1.0), ("B", "Y", "020300", 2.0),
     ("C", "X", "020300", 1.0), ("C", "Y", "090400", 1.0)],
    columns=["i", "j", "k", "v"],
).assign(t=2019)  # fmt: skip
HAND_GDP = pd.DataFrame({"t": 2019, "i": ["A", "B", "C"], "gdppc": [10.0, 20.0, 40.0]})


def test_hand_computed_prody_and_expy():
    # shares: A .5 .5 0 0, B .25 .25 .5 0, C 0 0 .5 .5 ; Y = 10, 20, 40
    p = prody(HAND, HAND_GDP)
    got = dict(zip(p.data.k, p.data.prody, strict=True))
    assert got == pytest.approx(
        {"010100": 40 / 3, "010200": 40 / 3, "020300": 30.0, "090400": 40.0}
    )
    e = expy(HAND, p, level="i")
    assert dict(zip(e.data.i, e.data.expy, strict=True)) == pytest.approx(
        {"A": 40 / 3, "B": 65 / 3, "C": 35.0}
    )


def test_scaling_all_exports_leaves_prody_unchanged(data):
    trade, gdp = data
    base = prody(trade, gdp).data.prody.to_numpy()
    scaled = prody(trade.assign(v=trade.v * 1234.5), gdp).data.prody.to_numpy()
    np.testing.assert_allclose(scaled, base, rtol=1e-12)


def test_a_region_exporting_one_product_has_that_products_prody(data):
    trade, gdp = data
    p = prody(trade, gdp)
    k = p.data.k.iloc[3]
    region = pd.DataFrame(
        {"t": [2018, 2018], "city": ["only", "only"], "k": [k, k], "v": [5.0, 7.0]}
    )
    e = expy(region, p, level="city")
    want = p.data.set_index(["t", "k"]).prody.loc[(2018, k)]
    assert e.data.expy.iloc[0] == pytest.approx(want, rel=1e-14)


def test_city_esf_is_share_times_provincial_expy():
    ex = pd.DataFrame({"province": ["11", "12"], "year": [2019, 2019], "expy": [100.0, 50.0]})
    sh = pd.DataFrame({"city": ["a", "b", "c"], "province": [11, 12, 13], "year": 2019,
                       "tertiary_share": [0.5, 0.4, 0.3]})  # fmt: skip
    r = city_esf(ex, sh)
    assert list(r.data.ESF) == [50.0, 20.0]
    np.testing.assert_allclose(r.data.lnESF, np.log([50.0, 20.0]))
    assert any("1 city-years without a provincial EXPY" in n for n in r.notes)
    with pytest.raises(MeasureError, match="as a fraction"):
        city_esf(ex, sh.assign(tertiary_share=[50.0, 40.0, 30.0]))


def test_inputs_are_never_mutated(data):
    trade, gdp = data
    before = trade.copy()
    prody(trade, gdp)
    pd.testing.assert_frame_equal(trade, before)
