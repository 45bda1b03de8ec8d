"""The [sensitivity] stage: HonestDiD and the pre-test's power in the study and its report."""

import math

import numpy as np
import pytest

import pilotdid as pdid
from pilotdid.study.config import parse_study

STUDY = """
[data]
source = "demo"
[treatment]
roster = "bigdata"
[model]
outcome = "lnESF"
controls = ["lnHCL", "FIN"]
[placebo]
enabled = false
[mechanisms]
enabled = false
[heterogeneity]
enabled = false
[moderation]
enabled = false
"""


@pytest.fixture(scope="module")
def result():
    return pdid.run_study(parse_study(STUDY))


def test_stage_equals_the_api_on_the_event_study(result):
    stage = result.sensitivity
    direct = pdid.honest_did(result.event_study)
    np.testing.assert_allclose(stage.honest.conf_low, direct.conf_low, rtol=1e-10)
    np.testing.assert_allclose(stage.honest.conf_high, direct.conf_high, rtol=1e-10)
    assert stage.honest.breakdown == pytest.approx(direct.breakdown, rel=1e-10)
    power = pdid.pretrend_power(result.event_study, power=0.8, seed=2024)
    assert stage.power.slope_80 == pytest.approx(power.slope_80, rel=1e-10)
    assert "sensitivity_table" in result.tables
    assert "figure_sensitivity" in dict(result.figures())
    assert result.seeds()["sensitivity"] == 2024


def test_report_reads_the_breakdown_and_power(result, tmp_path):
    from pilotdid.report.readings_sensitivity import read_sensitivity

    honest, power = read_sensitivity(result)
    lo, hi = result.sensitivity.honest.original
    if lo <= 0 <= hi:
        assert "already includes zero" in honest.text()
    else:
        numbers = honest.numbers()
        assert numbers["sensitivity.breakdown"] == pytest.approx(
            result.sensitivity.honest.breakdown
        )
    assert "not proof of parallel trends" in read_event(result)
    assert power.numbers()["sensitivity.slope_80"] == pytest.approx(
        result.sensitivity.power.slope_80
    )
    html = (result.write_report(tmp_path / "out") / "report.html").read_text(encoding="utf-8")
    assert "HonestDiD" in html and "Sensitivity to Violations" in html


def read_event(result):
    from pilotdid.report.readings import read_event_study

    return read_event_study(result).text()


def test_disabled_and_smoothness_and_chinese():
    off = pdid.run_study(parse_study(STUDY + "[sensitivity]\nenabled = false\n"))
    assert off.sensitivity is None and "sensitivity_table" not in off.tables
    sd = pdid.run_study(
        parse_study(
            STUDY
            + '[sensitivity]\nrestriction = "smoothness"\nM = [0.0, 0.01, 0.02]\n'
            + '[report]\nlanguage = "zh"\n'
        )
    )
    assert sd.sensitivity.honest.restriction == "smoothness"
    assert list(sd.sensitivity.honest.grid) == [0.0, 0.01, 0.02]
    from pilotdid.report.readings_sensitivity import read_sensitivity

    texts = [r.text() for r in read_sensitivity(sd)]
    assert texts and all(not t.isascii() for t in texts)
    assert math.isfinite(sd.sensitivity.power.slope_50)


def test_bad_keys_are_study_file_errors():
    with pytest.raises(pdid.StudyFileError, match="sensitivity.restriction"):
        parse_study(STUDY + '[sensitivity]\nrestriction = "smooth"\n')
    with pytest.raises(pdid.StudyFileError, match="sensitivity.power"):
        parse_study(STUDY + "[sensitivity]\npower = 1.5\n")


def test_breakdown_sentence_on_the_paper_study():
    """The example study's effect is significant: the reading states the breakdown value."""
    import pathlib

    from pilotdid.report.readings_sensitivity import read_sensitivity
    from pilotdid.study.config import load_study

    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "bigdata_pilot.toml"
    res = pdid.run_study(load_study(example, overrides={"placebo.draws": 20}))
    honest = read_sensitivity(res)[0]
    assert res.sensitivity.honest.original[0] > 0
    assert honest.numbers()["sensitivity.breakdown"] == pytest.approx(
        res.sensitivity.honest.breakdown
    )
    assert "breakdown value" in honest.text()


def test_robust_estimators_get_their_own_sensitivity(result):
    """CS (universal base period), SA and BJS (mapped to -1), each equal to the API on its input."""
    from pilotdid.report.readings_sensitivity import read_staggered_sensitivity
    from pilotdid.study.sensitivity import _window
    from pilotdid.study.staggered import refit

    stage, stag = result.sensitivity, result.staggered
    cfg = result.study.config
    lo, hi = cfg.event_study.window
    assert list(stage.robust) == ["CS", "SA", "BJS"]
    assert stag.cs.base_period == "varying"  # the stage's CS; the sensitivity run re-aggregates
    found = refit(cfg, result.matching, {"cs": {"base_period": "universal", "bootstrap": 0}})
    cs = _window(found["cs_dynamic"].dynamic(), lo, hi)
    assert cs.ref == -1
    r0 = int(stag.bjs.pre_periods.min())
    bjs = refit(cfg, result.matching, {"bjs": {"pretrends": -r0 - 1}})["bjs"]
    inputs = {
        "CS": cs,
        "SA": _window(stag.sa.dynamic(), lo, hi),
        "BJS": _window(bjs.referenced(), lo, hi),
    }
    for name, effects in inputs.items():
        direct = pdid.honest_did(effects)
        got = stage.robust[name]
        assert got.estimator == name and got.ref == -1
        np.testing.assert_allclose(got.conf_low, direct.conf_low, rtol=1e-10)
        np.testing.assert_allclose(got.conf_high, direct.conf_high, rtol=1e-10)
    table = result.tables["sensitivity_staggered"]
    assert [g.label for g in table.header_rows()[0]] == ["CS", "SA", "BJS"]
    assert any("universal base period" in n for n in table.notes)
    assert "figure_sensitivity_staggered" in dict(result.figures())
    texts = [r.text() for r in read_staggered_sensitivity(result)]
    assert texts[0].startswith("Callaway-Sant'Anna (universal base period).")
    assert texts[1].startswith("Sun-Abraham.") and texts[2].startswith("Imputation (BJS")
    sa = read_staggered_sensitivity(result)[1].numbers()
    if "sensitivity_sa.breakdown" in sa:
        assert sa["sensitivity_sa.breakdown"] == pytest.approx(stage.robust["SA"].breakdown)


def test_robust_sensitivity_without_the_event_study_or_the_staggered_stage():
    no_event = pdid.run_study(parse_study(STUDY + "[event_study]\nenabled = false\n"))
    assert no_event.sensitivity.honest is None and list(no_event.sensitivity.robust) == [
        "CS",
        "SA",
        "BJS",
    ]
    no_stag = pdid.run_study(parse_study(STUDY + "[staggered]\nenabled = false\n"))
    assert no_stag.sensitivity.honest is not None and not no_stag.sensitivity.robust
    assert "sensitivity_staggered" not in no_stag.tables
