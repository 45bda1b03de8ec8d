"""run_study end to end: the example study on the demo panel, and a small study on a CSV file."""

import numpy as np
import pytest

from pilotdid.estimation.feols import feols
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import STAGES, run_study

CONTROLS = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]


def test_every_stage_of_the_paper_is_there(example_result):
    res = example_result
    assert list(res.tables) == [
        "table1", "table2", "vif", "balance", "balance_overall", "table3", "event_table",
        "sensitivity_table", "staggered_att", "staggered_dynamic", "bacon",
        "sensitivity_staggered", "table4", "table5",
    ]  # fmt: skip
    assert res.matching.result is not None and res.matching.balance is not None
    assert list(res.baseline.models) == ["Baseline", "With controls", "Excluding minority areas"]
    assert res.placebo is not None and res.placebo.n_draws == 500
    assert res.event_study is not None and res.event_study.window == (-4, 3)
    assert res.mechanisms is not None and res.mechanisms.mechanism.mediators == ("RD", "TFP")
    assert [h.by for h in res.mechanisms.heterogeneity] == ["RD", "TFP"]
    assert res.moderation is not None and res.moderation.results[0].moderator == "freedom"
    assert set(res.timings) == set(STAGES)
    assert res.versions["pilotdid"] == "0.1.0"


def test_table3_is_feols_on_the_matched_sample(example_result):
    res = example_result
    sample = res.sample
    assert sample["_weight"].notna().all()  # matching.sample = "matched"
    direct = feols("lnESF ~ TP + " + " + ".join(CONTROLS) + " | code + year", sample,
                   vcov={"CRV1": "code"})  # fmt: skip
    main = res.main
    np.testing.assert_allclose(main.coef().to_numpy(), direct.coef().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(main.se().to_numpy(), direct.se().to_numpy(), rtol=1e-12)
    excluded = res.baseline.exclusions[0]
    assert (
        not excluded.data["province"]
        .isin(["Inner Mongolia", "Ningxia", "Xinjiang", "Guangxi"])
        .any()
    )
    assert res.baseline.models["Excluding minority areas"].nobs == len(excluded.data)


def test_placebo_and_event_study_use_the_headline_specification(example_result):
    res = example_result
    assert res.placebo.estimate["coef"] == pytest.approx(float(res.main.coef()["TP"]), rel=1e-10)
    assert res.placebo.seed == 2024
    es_fit = res.event_study.fit
    assert es_fit.nobs == res.main.nobs
    assert set(CONTROLS) <= set(es_fit.names)


def test_demo_estimates_are_within_two_standard_errors_of_the_truth(example_result):
    pairs = example_result.true_effects()
    assert {p.name for p in pairs} == {
        "lnESF", "RD", "TFP", "TP_x_freedom", "lnESF_at_mean_freedom",
    }  # fmt: skip
    for p in pairs:
        assert p.z < 2, (p.name, p.estimate, p.true, p.std_error)


def test_drops_are_counted_by_cause(example_result):
    drops = {(d.stage, d.cause): d.rows for d in example_result.drops()}
    off_support = drops[("matching", "treated, off common support or no match")]
    assert off_support == len(example_result.panel.data) - len(example_result.sample)
    assert drops[("Table 4 RD", "missing (in the regression's variables)")] == int(
        example_result.sample["RD"].isna().sum()
    )


def test_progress_hook_sees_every_stage_in_order(project):
    calls = []
    run_study(
        project / "study.toml", progress=lambda i, n, s, t: calls.append((i, n, s, t is None))
    )
    starts = [(i, s) for i, n, s, start in calls if start]
    assert starts == [(i + 1, s) for i, s in enumerate(STAGES)]
    assert len(calls) == 2 * len(STAGES)


def test_a_study_on_a_csv_file_runs_and_recovers_the_effect(project):
    res = run_study(load_study(project / "study.toml"))
    assert res.panel.demo is None and res.true_effects() == []
    assert res.mechanisms is None and res.moderation is None
    b, se = float(res.main.coef()["did"]), float(res.main.se()["did"])
    assert abs(b - 0.5) < 3 * se
    assert res.placebo.n_draws == 20


def test_disabled_stages_are_skipped(project):
    study = load_study(
        project / "study.toml",
        overrides={
            "matching.enabled": False,
            "placebo.enabled": False,
            "event_study.enabled": False,
        },
    )
    res = run_study(study)
    assert res.matching.result is None and res.placebo is None and res.event_study is None
    assert len(res.sample) == len(res.panel.data)
    assert "balance" not in res.tables and "event_table" not in res.tables


def test_without_controls_the_headline_is_the_only_baseline_column(project):
    import re

    extra = '[matching]\nenabled = false\n[[exclusions]]\nname = "Without A"\ncolumn = "province"\nvalues = ["A"]\n'
    path = project / "study.toml"
    path.write_text(path.read_text().replace('controls = ["x1", "x2"]', "controls = []") + extra)
    res = run_study(load_study(path))
    assert list(res.baseline.models) == ["Baseline", "Without A"]
    assert res.baseline.main_column == 1 and res.main is res.baseline.models["Baseline"]
    page = (res.write_report(project / "out") / "report.html").read_text(encoding="utf-8")
    text = re.sub("<[^>]+>", "", page)
    assert "the study lists no control variables" in text
    assert "With the controls" not in text
