"""The two-pass PRODY and one-pass EXPY (measures/direct.py) against the exporter x product
table form and a direct pandas count, on messy data that crosses the 62-exporter bit words."""

import numpy as np
import pandas as pd
import pytest

import pilotdid.measures.direct as direct
from pilotdid.measures import expy, prody
from tests.measures.reference import random_trade


@pytest.fixture(scope="module")
def messy():
    """150 exporters (three bit words), bad values, zero values, spacing variants, no-GDP units."""
    trade, gdp = random_trade(seed=5, n_countries=150, n_products=12, n_importers=2, density=0.3)
    rng = np.random.default_rng(1)
    trade = trade.copy()
    bad = rng.random(len(trade))
    trade.loc[bad < 0.02, "v"] = -1.0  # unusable: left out and counted
    trade.loc[(bad >= 0.02) & (bad < 0.04), "v"] = np.nan
    trade.loc[(bad >= 0.04) & (bad < 0.08), "v"] = 0.0  # counts for no exporter
    spaced = trade.i.isin(["C3", "C77"]) & (rng.random(len(trade)) < 0.5)
    trade.loc[spaced, "i"] = " " + trade.loc[spaced, "i"] + " "  # one exporter, two spellings
    gdp = gdp[~gdp.i.isin(["C10", "C140"])]  # exporters without GDP per capita
    return trade, gdp


def _cell_form(monkeypatch):
    monkeypatch.setattr(direct, "MAX_WORDS", 0)  # too many exporters: the table form runs


@pytest.mark.parametrize(
    "kwargs", [{}, {"min_exports": 2000.0}, {"years": [2017, 2019]}, {"window": 2}]
)
def test_direct_prody_equals_the_cell_table_form(messy, monkeypatch, kwargs):
    trade, gdp = messy
    fast = prody(trade, gdp, **kwargs)
    with monkeypatch.context() as m:
        _cell_form(m)
        slow = prody(trade, gdp, **kwargs)
    assert fast.data.columns.tolist() == slow.data.columns.tolist()
    keys = list(fast.keys)
    a, b = fast.data.set_index(keys), slow.data.set_index(keys)
    pd.testing.assert_index_equal(a.index, b.index)
    np.testing.assert_allclose(a.prody.to_numpy(), b.prody.to_numpy(), rtol=1e-12)
    assert (a.n_exporters.to_numpy() == b.n_exporters.to_numpy()).all()
    # the same records counted and the same exporter-years left out
    assert [n for n in fast.notes if "records read" not in n] == [
        n for n in slow.notes if "records read" not in n
    ]
    assert "exporter-years)" in fast.notes[0] and "cells)" in slow.notes[0]


def test_n_exporters_counts_exporters_with_positive_exports(messy):
    trade, gdp = messy
    got = prody(trade, gdp).data.set_index(["t", "k"]).n_exporters
    t = trade.assign(i=trade.i.str.strip())
    t = t[t.v >= 0].groupby(["t", "i", "k"]).v.sum().reset_index()
    kept = t.groupby(["t", "i"]).v.transform("sum") > 0
    t = t[kept & (t.v > 0)].merge(gdp[gdp.gdppc > 0], on=["t", "i"])
    want = t.groupby(["t", "k"]).i.nunique()
    pd.testing.assert_series_equal(
        got.sort_index(), want.rename("n_exporters").sort_index(), check_dtype=False
    )
    assert got.max() > 62  # the count crosses a bit word


def test_more_exporters_than_bit_words_fall_back_to_the_table(messy, monkeypatch):
    trade, gdp = messy
    monkeypatch.setattr(direct, "MAX_WORDS", 2)  # 150 exporters need three words
    r = prody(trade, gdp)
    assert "cells)" in r.notes[0]


def test_direct_expy_matches_a_pandas_computation(messy):
    trade, gdp = messy
    p = prody(trade, gdp)
    regional, _ = random_trade(seed=8, n_countries=6, n_products=14)  # 2 products lack a PRODY
    regional = regional.rename(columns={"i": "province"})
    regional["k"] = regional["k"] + "10"
    regional.loc[regional.index[:7], "v"] = -5.0
    regional.loc[regional.index[7:9], "province"] = None
    regional.loc[regional.province == "C2", "province"] = " C2"
    e = expy(regional, p, level="province", digits=8)
    got = e.data.set_index(["t", "province"]).sort_index()
    r = regional.dropna(subset=["province"])
    r = r[r.v >= 0].assign(province=r.province.str.strip(), k=r.k.str[:6])
    allx = r.groupby(["t", "province"]).v.sum()
    m = r.merge(p.data[["t", "k", "prody"]], on=["t", "k"])
    cell = m.groupby(["t", "province", "k"]).agg(x=("v", "sum"), p=("prody", "first"))
    cell = cell[cell.x > 0].reset_index()
    g = cell.assign(w=cell.x * cell.p).groupby(["t", "province"])
    want = pd.DataFrame({"expy": g.w.sum() / g.x.sum(), "n_products": g.k.size(),
                         "exports": g.x.sum()})  # fmt: skip
    want["unmatched_share"] = 1 - want.exports / allx.loc[want.index]
    np.testing.assert_allclose(got[["expy", "exports", "unmatched_share"]].to_numpy(),
                               want[["expy", "exports", "unmatched_share"]].to_numpy(),
                               rtol=1e-12, atol=1e-15)  # fmt: skip
    assert (got.n_products.to_numpy() == want.n_products.to_numpy()).all()
    assert "C2" in got.index.get_level_values("province")
    assert any("7 records without a usable value" in n for n in e.notes)
    assert any("2 records with a missing year, level or product" in n for n in e.notes)


def test_records_without_a_key_are_counted_once(messy, monkeypatch):
    trade, gdp = messy
    bad = trade.copy()
    bad.loc[bad.index[:3], "k"] = None  # no product
    bad.loc[bad.index[3:5], "i"] = None  # no exporter
    bad.loc[bad.index[5], ["i", "k"]] = None  # neither: one record, counted once
    notes = prody(bad, gdp).notes
    assert any("6 records with a missing year, exporter or product" in n for n in notes)
    with monkeypatch.context() as m:
        _cell_form(m)
        assert any("6 records with a missing year" in n for n in prody(bad, gdp).notes)
