"""Write the stored feols reference numbers (run from the repo root; needs pyfixest==0.60.0).

    python tests/reference/feols/make_reference.py

It writes ``panel.csv`` (an unbalanced 3-factor panel with weights) and ``reference.json``
(coefficients, standard errors, N and the t degrees of freedom from pyfixest, which equal
R fixest's with ``ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE)``).
"""

import json
import pathlib

import numpy as np
import pandas as pd
import pyfixest as pf

HERE = pathlib.Path(__file__).parent

MODELS = [
    ("y ~ x1 + x2 | unit + year", {"CRV1": "unit"}, None),
    ("y ~ x1 + x2 | unit + year", "iid", None),
    ("y ~ x1 + x2 + x3 | unit + year", "hetero", "w"),
    ("y ~ x1 + x2 | unit + year + region", {"CRV1": "unit+year"}, None),
    ("y ~ x1 + C(grp) | unit + year", {"CRV1": "region"}, None),
    ("y ~ x1 + x2 + x3", "hetero", None),
]


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(20261130)
    n, t = 40, 9
    df = pd.DataFrame({"unit": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n)})
    df["region"] = df["unit"] % 7
    df["grp"] = rng.integers(0, 5, len(df))
    for j in (1, 2, 3):
        df[f"x{j}"] = rng.normal(size=len(df)).round(6)
    df["w"] = rng.uniform(0.5, 2.0, len(df)).round(6)
    u = rng.normal(size=n)[df["unit"]]
    df["y"] = df.x1 - 0.5 * df.x2 + 0.2 * df.grp + u + 0.1 * df.year + rng.normal(size=len(df))
    df["y"] = df["y"].round(6)
    return df.sample(frac=0.85, random_state=1).sort_index().reset_index(drop=True)


def main() -> None:
    df = panel()
    df.to_csv(HERE / "panel.csv", index=False)
    out = []
    for fml, vcov, weights in MODELS:
        fit = pf.feols(fml, df, vcov=vcov, weights=weights, fixef_tol=1e-14)
        out.append(
            {
                "fml": fml,
                "vcov": vcov,
                "weights": weights,
                "coef": fit.coef().to_dict(),
                "se": fit.se().to_dict(),
                "nobs": int(fit._N),
            }
        )
    meta = {"made_by": "python tests/reference/feols/make_reference.py", "pyfixest": pf.__version__}
    (HERE / "reference.json").write_text(json.dumps({"meta": meta, "models": out}, indent=1))


if __name__ == "__main__":
    main()
