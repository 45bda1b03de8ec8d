"""The [spec_curve] section: schema, the stage, the report section (en and zh)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pilotdid as pdid
from pilotdid.errors import StudyFileError
from pilotdid.report.readings_spec_curve import read_spec_curve
from pilotdid.study.config import load_study, parse_study
from pilotdid.study.spec_curve import spec_curve_choices

from .conftest import MINIMAL

SECTION = """
[spec_curve]
enabled = true
matching = ["none", "nearest"]
mode = ["base_year"]
ssn = true
ssn_draws = 30
"""

EXCLUSION = """
[[exclusions]]
name = "Without city 1"
column = "city"
values = [1]
"""


@pytest.fixture
def curve_project(project):
    text = MINIMAL.replace("[placebo]", SECTION + EXCLUSION + "\n[placebo]")
    (project / "study.toml").write_text(text, encoding="utf-8")
    return project


def test_off_by_default():
    cfg = parse_study('[data]\nsource = "demo"\n[treatment]\nroster = "bigdata"\n'
                      '[model]\noutcome = "lnESF"\ncontrols = ["FIN"]\n').config  # fmt: skip
    assert cfg.spec_curve.enabled is False
    template = Path(pdid.__file__).parent / "study" / "template.toml"
    assert "[spec_curve]" in template.read_text(encoding="utf-8")


def test_bad_keys_are_named():
    with pytest.raises(StudyFileError, match="spec_curve"):
        parse_study('[data]\nsource = "demo"\n[treatment]\nroster = "bigdata"\n'
                    '[model]\noutcome = "lnESF"\ncontrols = ["FIN"]\n[spec_curve]\nmatching = ["nearst"]\n')  # fmt: skip
    with pytest.raises(StudyFileError, match="spec_curve"):
        parse_study('[data]\nsource = "demo"\n[treatment]\nroster = "bigdata"\n'
                    '[model]\noutcome = "lnESF"\ncontrols = ["FIN"]\n[spec_curve]\nestimators = ["ols"]\n')  # fmt: skip


def test_choices_default_to_the_study(curve_project):
    cfg = load_study(curve_project / "study.toml").config
    choices = spec_curve_choices(cfg)
    assert choices["controls"] == {"none": [], "all controls": ["x1", "x2"]}
    assert choices["sample"] == {"whole sample": None, "Without city 1": ("city", [1])}
    assert choices["cluster"] == ["city"]
    assert choices["matching"] == ["none", "nearest"] and choices["estimator"] == ["twfe"]


def test_stage_runs_and_the_report_reads_it(curve_project):
    study = load_study(curve_project / "study.toml")
    result = pdid.run_study(study)
    curve = result.spec_curve
    # 2 matchings x 1 mode x 2 control sets x 2 samples x 1 clustering
    assert curve is not None and len(curve.specs) == 8 and curve.ssn is not None
    assert "spec_curve" in result.tables and "spec curve" in result.timings
    assert result.seeds()["spec curve"] == curve.seed
    # the headline Table 3 column is one of the specifications, with the same estimate
    main = float(result.main.coef()["did"])
    twfe = curve.specs.query("matching == 'nearest' and controls == 'all controls' "
                             "and sample == 'whole sample'")  # fmt: skip
    assert float(twfe.estimate.iloc[0]) == pytest.approx(main, abs=1e-10)
    readings = read_spec_curve(result)
    assert len(readings) == 2
    assert readings[0].numbers()["spec_curve.n"] == 8
    out = result.write_report(curve_project / "out")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="spec_curve">' in page and 'id="figure_spec_curve"' in page
    assert re.search(r'data-key="spec_curve.share_same_sign"', page)
    assert (out / "figures" / "figure_spec_curve.png").stat().st_size > 10_000


def test_report_in_chinese(curve_project):
    path = curve_project / "study.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'output = "out"', 'output = "out"\nlanguage = "zh"'), encoding="utf-8")  # fmt: skip
    result = pdid.run_study(load_study(path))
    assert "全样本" in result.spec_curve.specs["sample"].cat.categories
    text = read_spec_curve(result)[0].text()
    assert "个设定" in text
    out = result.write_report(curve_project / "out")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "设定曲线" in page


def test_validate_names_unknown_spec_curve_columns(curve_project):
    from pilotdid.study.prepare import prepare_panel

    path = curve_project / "study.toml"
    text = path.read_text(encoding="utf-8").replace(
        "ssn_draws = 30\n",
        'ssn_draws = 30\ncontrols = { few = ["x1", "x_typo"] }\ncluster = ["city", "hetero", "provnce"]\n',
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyFileError) as info:
        prepare_panel(load_study(path))
    problems = info.value.problems
    assert any(p.startswith("spec_curve.controls.few[1]: column 'x_typo'") for p in problems)
    assert any(p.startswith("spec_curve.cluster[2]: column 'provnce'") for p in problems)
    assert not any("hetero" in p or "'city'" in p for p in problems)
