"""Independent references: the PRODY/EXPY/RCA formulas computed directly with numpy arrays,
and a small BACI-like random data generator. Loops here run over years (a handful), in tests only.
"""

import numpy as np
import pandas as pd


def random_trade(
    seed=0,
    n_countries=8,
    n_products=15,
    years=(2017, 2018, 2019),
    n_importers=3,
    density=0.6,
    with_q=True,
):
    rng = np.random.default_rng(seed)
    countries = [f"C{i}" for i in range(n_countries)]
    # codes with leading zeros, as HS6 chapters 01-09 have
    products = [f"{(7 * i) % 97 + 1:02d}{i:04d}" for i in range(n_products)]
    rows = []
    for t in years:
        for c in countries:
            for k in products:
                for j in range(n_importers):
                    if rng.random() < density:
                        v = float(rng.lognormal(3, 1.5))
                        q = (
                            float(v / rng.lognormal(0, 0.5))
                            if with_q and rng.random() > 0.1
                            else np.nan
                        )
                        rows.append((t, c, f"M{j}", k, v, q))
    trade = pd.DataFrame(rows, columns=["t", "i", "j", "k", "v", "q"])
    gdp = pd.DataFrame(
        [(t, c, float(rng.lognormal(9, 1))) for t in years for c in countries],
        columns=["t", "i", "gdppc"],
    )
    return trade, gdp


def _matrix(frame, unit, value="v"):
    m = frame.pivot_table(index=unit, columns="k", values=value, aggfunc="sum", fill_value=0.0)
    return m


def prody_year(trade, gdp, t, min_exports=0.0):
    """PRODY_k = sum_c [(x_ck/X_c) / sum_c' (x_c'k/X_c')] Y_c for one year, as a Series by k."""
    x = _matrix(trade[trade.t == t], "i")
    y = gdp[gdp.t == t].set_index("i")["gdppc"]
    x = x.loc[x.index.isin(y.index[y > 0])]
    total = x.sum(axis=1)
    x = x.loc[(total > 0) & (total >= min_exports)]
    s = x.to_numpy() / x.sum(axis=1).to_numpy()[:, None]
    yy = y.loc[x.index].to_numpy()
    den = s.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (s * yy[:, None]).sum(axis=0) / den
    out = pd.Series(p, index=x.columns)
    return out[den > 0]


def prody_yearly(trade, gdp, min_exports=0.0):
    return pd.concat(
        {t: prody_year(trade, gdp, t, min_exports) for t in sorted(trade.t.unique())},
        names=["t", "k"],
    )


def quality_prody_year(trade, gdp, t, theta=0.2):
    """Xu (2010): (uv_ck / sum_c mu_ck uv_ck)^theta PRODY_k, mu = value share among q reporters."""
    base = prody_year(trade, gdp, t)
    d = trade[(trade.t == t) & (trade.v > 0) & (trade.q > 0)]
    y = gdp[gdp.t == t].set_index("i")["gdppc"]
    d = d[d.i.isin(y.index[y > 0])]
    vq = _matrix(d, "i", "v")
    qq = _matrix(d, "i", "q")
    with np.errstate(invalid="ignore", divide="ignore"):
        uv = vq / qq
        mu = vq / vq.sum(axis=0)
        wuv = (mu * uv.fillna(0)).sum(axis=0)
        adj = (uv / wuv) ** theta * base.reindex(vq.columns)
    adj = adj.stack()
    adj.index.names = ["i", "k"]
    return adj[np.isfinite(adj) & (vq.stack() > 0).reindex(adj.index)]


def expy_reference(regional, prody_by_k, level, by_year=True):
    """EXPY_r = sum_k (x_rk / X_r) PRODY_k over products with a PRODY, by year."""
    out = {}
    for t in sorted(regional.t.unique()):
        x = _matrix(regional[regional.t == t], level)
        p = prody_by_k.loc[t] if by_year else prody_by_k
        common = x.columns.intersection(p.index)
        xm = x[common].to_numpy()
        tot = xm.sum(axis=1)
        keep = tot > 0
        e = (xm[keep] / tot[keep, None]) @ p.loc[common].to_numpy()
        out[t] = pd.Series(e, index=x.index[keep])
    return pd.concat(out, names=["t", level])


def rca_reference(trade):
    out = {}
    for t in sorted(trade.t.unique()):
        x = _matrix(trade[trade.t == t], "i")
        xv = x.to_numpy()
        r = (xv / xv.sum(1, keepdims=True)) / (xv.sum(0, keepdims=True) / xv.sum())
        s = pd.DataFrame(r, index=x.index, columns=x.columns).stack()
        out[t] = s[(x.stack() > 0).to_numpy()]
    return pd.concat(out, names=["t", "i", "k"])
