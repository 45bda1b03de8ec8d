"""The paper's Table 3 as ModelSummary values (estimates and SEs as printed; p-values chosen to
give the printed stars), plus helpers shared by the report and describe tests."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pilotdid.estimation.summary import ModelSummary

GOLDEN = Path(__file__).parent / "golden"
CONTROLS = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]

# (term, estimate, std_error, p_value) per model of the paper's Table 3
TABLE3 = [
    [("TP", 0.0424, 0.00945, 1e-5), ("_cons", 9.563, 0.00202, 0.0)],
    [
        ("TP", 0.0232, 0.00948, 0.0150),
        ("lnHCL", -0.0349, 0.0216, 0.107),
        ("FIN", 488.0, 101.9, 3e-6),
        ("lnPERgdp", -0.0928, 0.0154, 1e-8),
        ("HUM", -0.356, 0.0927, 0.00015),
        ("MAR", 0.227, 0.0794, 0.0045),
        ("lnAOL", -0.0347, 0.0353, 0.326),
        ("lnFINA", -0.0400, 0.0112, 0.0004),
        ("_cons", 11.56, 0.407, 1e-20),
    ],
    [
        ("TP", -0.0819, 0.0314, 0.0105),
        ("lnHCL", 0.00811, 0.0645, 0.90),
        ("FIN", 1645.0, 490.9, 0.0009),
        ("lnPERgdp", -0.140, 0.0597, 0.020),
        ("HUM", 0.491, 0.457, 0.284),
        ("MAR", 0.122, 0.248, 0.623),
        ("lnAOL", -0.180, 0.250, 0.472),
        ("lnFINA", -0.133, 0.0487, 0.0068),
        ("_cons", 13.60, 2.514, 1e-6),
    ],
]
NOBS = [2963, 2963, 218]
R2 = [0.973, 0.976, 0.988]


def summary(
    rows, nobs, r2, *, depvar="lnESF", fixef=("city", "year"), vcov="clustered by city", **kw
):
    terms = [r[0] for r in rows]
    est = [float(r[1]) for r in rows]
    se = [float(r[2]) for r in rows]
    coefs = pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "statistic": [e / s for e, s in zip(est, se, strict=True)],
            "p_value": [float(r[3]) for r in rows],
            "conf_low": [e - 1.96 * s for e, s in zip(est, se, strict=True)],
            "conf_high": [e + 1.96 * s for e, s in zip(est, se, strict=True)],
        },
        index=pd.Index(terms, name="term"),
    )
    return ModelSummary(coefs, depvar, tuple(fixef), vcov, nobs, {"r2": r2}, **kw)


def table3_models():
    return [summary(rows, n, r2) for rows, n, r2 in zip(TABLE3, NOBS, R2, strict=True)]


def check_golden(name: str, text: str) -> None:
    """Compare with tests/tables/golden/<name>; PILOTDID_UPDATE_GOLDEN=1 rewrites the file first."""
    path = GOLDEN / name
    if os.environ.get("PILOTDID_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} missing; run with PILOTDID_UPDATE_GOLDEN=1 once"
    assert text == path.read_text(encoding="utf-8")
