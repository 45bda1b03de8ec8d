"""The staggered-adoption stage of a study (item 7 of issue #12): estimators, tables, report."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotdid.errors import StudyFileError
from pilotdid.report.readings_staggered import agreement
from pilotdid.study.config import load_study, parse_study
from pilotdid.study.pipeline import run_study
from tests.study.conftest import MINIMAL

SPAN = re.compile(r'<span class="num" data-key="([^"]+)" data-value="([^"]+)">')
STAGGERED_TABLES = ["staggered_att", "staggered_dynamic", "bacon"]
STAGGERED_FIGURES = ["figure_rollout", "figure_bacon", "figure_staggered"]


def _section(page: str) -> str:
    start = page.index('<section id="staggered">')
    return page[start : page.index("</section>", start)]


def _numbers(section: str) -> dict[str, float]:
    return {html.unescape(k): float(v) for k, v in SPAN.findall(section)}


# --- the demo study ------------------------------------------------------------------------
def test_every_estimator_ran_on_the_demo(example_result):
    stage = example_result.staggered
    assert stage is not None and stage.ran == ("cs", "sa", "bjs") and not stage.failed
    sample, names = example_result.sample, example_result.study.config.treatment.names
    per_unit = sample.groupby("code")[names.cohort].first()
    assert stage.cohorts.loc[2016.0] == (per_unit == 2016).sum() == 4
    assert stage.cohorts.loc[2017.0] == (per_unit == 2017).sum()
    assert stage.n_never == per_unit.isna().sum() == 200
    # the matched sample is unbalanced: Bacon on the units observed in every period
    assert "balanced sub-panel" in stage.bacon_note
    counts = sample.groupby("code")["year"].nunique()
    full = counts[counts == sample["year"].nunique()].index
    direct = pdid.bacon(sample[sample["code"].isin(full)], "lnESF", unit="code", time="year",
                        cohort=names.cohort)  # fmt: skip
    assert stage.bacon.twfe == pytest.approx(direct.twfe, rel=1e-12)
    assert stage.bacon_units == len(full)
    assert list(stage.comparison.names) == ["TWFE", "CS", "SA", "BJS"]
    for key in STAGGERED_TABLES:
        assert key in example_result.tables
    keys = [k for k, _ in example_result.figures()]
    assert [k for k in keys if k in STAGGERED_FIGURES] == STAGGERED_FIGURES


def test_estimates_equal_the_public_functions(example_result):
    stage, cfg = example_result.staggered, example_result.study.config
    sample = example_result.sample
    kw = dict(unit="code", time="year", cohort=cfg.treatment.names.cohort)
    cs = pdid.att_gt(sample, "lnESF", **kw, bootstrap=0).aggregate("simple")
    overall = stage.overall
    assert overall.loc["cs", "estimate"] == pytest.approx(cs.overall_estimate, rel=1e-12)
    assert overall.loc["cs", "std_error"] == pytest.approx(cs.overall_se, rel=1e-12)
    sa = pdid.sun_abraham(sample, "lnESF", **kw)
    assert overall.loc["sa", "estimate"] == pytest.approx(sa.att, rel=1e-10)
    bjs = pdid.did_imputation(sample, "lnESF", **kw)
    assert overall.loc["bjs", "estimate"] == pytest.approx(bjs.att, rel=1e-10)
    did = cfg.treatment.names.did
    first = next(iter(example_result.baseline.models.values()))
    assert overall.loc["twfe_1", "estimate"] == float(first.coef()[did])
    assert overall.loc["twfe_main", "estimate"] == float(example_result.main.coef()[did])
    assert example_result.seeds()["staggered"] == cfg.study.seed
    assert stage.cs.draws is not None and stage.cs.draws.shape[0] == 999


def test_report_section_numbers_equal_the_result_objects(example_result, example_output):
    page = (example_output / "report.html").read_text(encoding="utf-8")
    section = _section(page)
    assert "This stage was not run" not in section
    for key in STAGGERED_FIGURES:
        assert f'<figure id="{key}">' in section
    for key in STAGGERED_TABLES:
        assert f'id="t-{key}"' in section
    found, stage = _numbers(section), example_result.staggered
    assert found["staggered.cs.estimate"] == stage.cs_simple.overall_estimate
    assert found["staggered.cs.se"] == stage.cs_simple.overall_se
    assert found["staggered.sa.estimate"] == stage.sa.att
    assert found["staggered.bjs.estimate"] == stage.bjs.att
    assert found["staggered.bacon.forbidden_share"] == stage.bacon.forbidden_share
    assert found["staggered.twfe_main.estimate"] == float(example_result.main.coef()["TP"])
    assert found["staggered.never_units"] == 200
    # the verdict follows from the numbers: CS is not significant at 5 %, TWFE is
    p = stage.overall["p_value"]
    verdicts = {k: agreement(stage.overall.loc[k, "estimate"], p[k],
                             stage.overall.loc["twfe_main", "estimate"], p["twfe_main"])
                for k in ("cs", "sa", "bjs")}  # fmt: skip
    failing = [k for k, v in verdicts.items() if v != "agree"]
    text = html.unescape(re.sub(r"<[^>]+>", "", section))
    if failing:
        assert "The TWFE conclusion does not survive" in text
    else:
        assert "The TWFE conclusion survives" in text
    for name in ("Figure A5.", "Figure A6.", "Figure A7.", "Table A7.", "Table A8.", "Table A9."):
        assert name in section
    for fmt in ("md", "tex"):
        written = (example_output / f"tables.{fmt}").read_text(encoding="utf-8")
        assert "Goodman-Bacon Decomposition of the TWFE DID" in written
        assert "Callaway-Sant'Anna (simple ATT)" in written or "Callaway-Sant" in written


def test_agreement_rule():
    assert agreement(0.1, 0.01, 0.2, 0.001) == "agree"
    assert agreement(0.1, 0.3, 0.2, 0.6) == "agree"
    assert agreement(-0.1, 0.01, 0.2, 0.001) == "sign"
    assert agreement(0.1, 0.2, 0.2, 0.001) == "sig"


# --- small studies on a CSV file ------------------------------------------------------------
def _write(project, extra: str = "", study: str = MINIMAL) -> None:
    (project / "study.toml").write_text(study + extra, encoding="utf-8")


def test_chinese_report_has_the_tables_and_figures(project):
    _write(project, '\n[staggered]\nbootstrap = 100\n', MINIMAL.replace('output = "out"',
           'output = "out"\nlanguage = "zh"'))  # fmt: skip
    result = run_study(load_study(project / "study.toml"))
    stage = result.staggered
    assert stage is not None and stage.ran == ("cs", "sa", "bjs")
    out = result.write_report(project / "out")
    for key in STAGGERED_FIGURES:
        assert (out / "figures" / f"{key}.png").is_file()
    md = (out / "tables.md").read_text(encoding="utf-8")
    assert "表A7 总体平均处理效应" in md and "表A9 TWFE双重差分的Goodman-Bacon分解" in md
    page = (out / "report.html").read_text(encoding="utf-8")
    section = _section(page)
    assert "多期（交错）政策实施" in section and "TWFE结论" in section
    # a balanced sample: the decomposition is of Table 3's first column itself
    assert stage.bacon_note == ""
    first = next(iter(result.baseline.models.values()))
    assert stage.bacon.twfe == pytest.approx(float(first.coef()["did"]), abs=1e-10)
    assert _numbers(section)["staggered.cs.estimate"] == stage.cs_simple.overall_estimate


def test_disabled_and_not_staggered_say_why(project):
    _write(project, "\n[staggered]\nenabled = false\n")
    result = run_study(load_study(project / "study.toml"))
    assert result.staggered is None and "staggered_att" not in result.tables
    out = result.write_report(project / "out")
    section = _section((out / "report.html").read_text(encoding="utf-8"))
    assert "This stage was not run: disabled in the study file." in section
    one = MINIMAL.replace('"3" = 2017, "4" = 2017', '"3" = 2016, "4" = 2016')
    _write(project, "", one)
    result = run_study(load_study(project / "study.toml"))
    assert result.staggered is None
    out = result.write_report(project / "out")
    section = _section((out / "report.html").read_text(encoding="utf-8"))
    assert "adoption is not staggered in the analysis sample" in section
    assert not [k for k, _ in result.figures() if k in STAGGERED_FIGURES]


def test_forced_on_one_cohort_reports_the_estimator_that_cannot_run(project):
    one = MINIMAL.replace('"3" = 2017, "4" = 2017', '"3" = 2016, "4" = 2016')
    _write(project, '\n[staggered]\nenabled = true\ncontrol_group = "notyet"\nbootstrap = 0\n', one)
    result = run_study(load_study(project / "study.toml"))
    stage = result.staggered
    assert stage is not None
    assert stage.ran == ("cs", "bjs") and list(stage.failed) == ["sa"]
    assert "two treated cohorts" in stage.failed["sa"]
    assert any(n.startswith("SA did not run: ") for n in stage.notes)
    assert "sa" not in stage.overall.index
    assert "Sun-Abraham (ATT) could not be estimated" in " ".join(
        result.tables["staggered_att"].notes
    )
    out = result.write_report(project / "out")
    section = _section((out / "report.html").read_text(encoding="utf-8"))
    assert "Sun-Abraham (ATT) did not run:" in html.unescape(section)
    assert "seeds" not in result.seeds() and "staggered" not in result.seeds()  # no bootstrap


def test_only_the_estimators_asked_for_run(project):
    _write(project, '\n[staggered]\nestimators = ["bjs"]\n')
    stage = run_study(load_study(project / "study.toml")).staggered
    assert stage.ran == ("bjs",) and stage.cs is None and stage.sa is None
    assert list(stage.comparison.names) == ["TWFE", "BJS"]


def test_controls_enter_the_robust_estimators(project):
    _write(project, '\n[staggered]\ncontrols = true\nmethod = "reg"\nbootstrap = 0\n')
    stage = run_study(load_study(project / "study.toml")).staggered
    assert stage.cs.covariates == ("x1", "x2")
    assert {"x1", "x2"} <= set(stage.sa.fit.names)


def test_cohort_without_pre_period_is_dropped_and_said(project):
    df = pd.read_csv(project / "panel.csv")
    study = MINIMAL.replace('"4" = 2017 }', '"4" = 2017, "5" = 2012 }')
    _write(project, "\n[matching]\nenabled = false\n", study)
    result = run_study(load_study(project / "study.toml"))
    stage = result.staggered
    assert stage.cohorts.loc[2012.0] == 1
    assert any("2012 (1 units) adopt at or before the first period 2012" in n for n in stage.notes)
    rows = int((df["city"] == 5).sum())
    assert [d.rows for d in stage.drops if "without a pre-period" in d.cause] == [rows]
    assert stage.ran == ("cs", "sa", "bjs")


def test_validate_says_which_cohort_will_be_dropped(project, monkeypatch, capsys):
    study = MINIMAL.replace('"4" = 2017 }', '"4" = 2017, "5" = 2012 }')
    _write(project, "\n[matching]\nenabled = false\n", study)
    monkeypatch.chdir(project)
    assert main(["validate", "study.toml"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "staggered: CS, SA, BJS will run" in out
    assert "staggered: cohort(s) 2012 (1 units) adopt at or before the first period 2012" in out


def test_validate_names_the_key_when_no_unit_is_never_treated(project, monkeypatch, capsys):
    adoption = ", ".join(f'"{i}" = {2014 + i % 3}' for i in range(1, 25))
    study = re.sub(r"adoption = \{[^}]*\}", f"adoption = {{ {adoption} }}", MINIMAL)
    _write(project, "\n[matching]\nenabled = false\n", study)
    with pytest.raises(
        StudyFileError, match=r"staggered\.control_group: \"never\" needs never-treated"
    ):
        run_study(load_study(project / "study.toml"))
    monkeypatch.chdir(project)
    assert main(["validate", "study.toml"]) == EXIT_BAD_INPUT
    assert "staggered.control_group" in capsys.readouterr().err
    _write(project, '\n[matching]\nenabled = false\n[staggered]\nestimators = ["bjs"]\n', study)
    assert main(["validate", "study.toml"]) == EXIT_OK
    assert "staggered: BJS will run" in capsys.readouterr().out


def test_schema_errors_have_key_paths():
    base = MINIMAL.replace('path = "panel.csv"', 'path = "panel.csv"')
    for extra, expected in [
        ('enabled = "yes"', "staggered.enabled: must be true or false or one of 'auto'"),
        ('estimators = ["cs", "did"]', "staggered.estimators[1]: must be one of 'cs', 'sa', 'bjs'"),
        ('control_group = "last"', "staggered.control_group: must be one of 'never', 'notyet'"),
        ('estimators = ["cs", "cs"]', "staggered.estimators: lists an estimator twice"),
        ("bootstrap = -1", "staggered.bootstrap: must be a non-negative integer"),
        ("bootstrap = 50", "staggered.bootstrap: the uniform bands need at least 100 draws"),
    ]:
        with pytest.raises(StudyFileError) as err:
            parse_study(base + f"\n[staggered]\n{extra}\n")
        assert expected in str(err.value), str(err.value)


def test_rollout_figure_draws_one_bar_per_cohort_and_never():
    from pilotdid.did.staggered_figures import rollout_figure

    cohorts = pd.Series([3, 5, 10], index=[2015.0, 2016.0, np.inf])
    fig = rollout_figure(cohorts, language="zh")
    ax = fig.axes[0]
    assert [round(p.get_height()) for p in ax.patches] == [3, 5, 10]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016", "从未处理"]
