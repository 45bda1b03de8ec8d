"""A study with 12 controls runs through every stage (designs wider than 16 columns).

The event study (7 period dummies + 12 controls) and the pooled heterogeneity model
(2 groups x 13 regressors) once failed in the demeaning; every stage must now run.
"""

import numpy as np

from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study

from .test_column_names import STUDY

CONTROLS = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]
EXTRA = [f"z{j}" for j in range(1, 6)]


def test_a_study_with_12_controls_runs_every_stage(tmp_path):
    from pilotdid.datasets import demo_panel

    data = demo_panel(2024, definition="provinces", later_zones_year=2017).data
    rng = np.random.default_rng(0)
    data = data.drop(columns=["treat", "TP", "adoption_year"]).assign(
        **{name: rng.normal(size=len(data)) for name in EXTRA}
    )
    data.to_csv(tmp_path / "panel.csv", index=False)
    names = {"城市 代码": "code", "年份 (t)": "year", "省份": "province", "出口 复杂度": "lnESF",
             "研发 R&D": "RD", "T.F.P": "TFP", "开放度": "freedom"}  # fmt: skip
    toml = STUDY.format(
        did="TP", controls="[" + ", ".join(f'"{c}"' for c in CONTROLS + EXTRA) + "]"
    )
    for odd, plain in names.items():
        toml = toml.replace(f'"{odd}"', f'"{plain}"')
    (tmp_path / "study.toml").write_text(toml, encoding="utf-8")
    res = run_study(load_study(tmp_path / "study.toml"))
    assert res.main.names == ("TP", *CONTROLS, *EXTRA)
    assert res.event_study is not None and set(CONTROLS + EXTRA) <= set(res.event_study.fit.names)
    assert res.mechanisms is not None and len(res.mechanisms.heterogeneity) == 2
    pooled = res.mechanisms.heterogeneity[0].pooled
    assert pooled is not None and len(pooled.names) == 2 * 13
    assert res.moderation is not None and res.placebo is not None
    assert list(res.tables) == [
        "table1", "table2", "vif", "balance", "balance_overall", "table3", "event_table",
        "sensitivity_table", "staggered_att", "staggered_dynamic", "bacon",
        "sensitivity_staggered", "table4", "table5",
    ]  # fmt: skip
