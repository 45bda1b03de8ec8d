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
