"""The report's words: matching quality, whom Table 3 describes, no double negatives, plurals,
Chinese notes, and Python warnings kept out of the terminal."""

import dataclasses
import math
import re
import warnings

import pytest

from pilotdid.cli import EXIT_OK, main
from pilotdid.report import readings
from pilotdid.report.render_report import report_sections
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study


def _texts(result):
    found = [
        readings.read_table3(result), readings.read_matching(result),
        *readings.read_mechanisms(result), *readings.read_moderation(result),
        *readings.read_exclusions(result), readings.read_placebo(result),
    ]  # fmt: skip
    return [r.text() for r in found if r is not None]


def _in_language(result, language):
    cfg = result.study.config
    cfg = cfg.model_copy(update={"report": cfg.report.model_copy(update={"language": language})})
    return dataclasses.replace(result, study=dataclasses.replace(result.study, config=cfg))


def test_no_double_negatives(example_result):
    texts = _texts(example_result)
    assert not [t for t in texts if re.search(r"(raises|lowers) [^.(]* by -", t)]
    mediators = " ".join(r.text() for r in readings.read_mechanisms(example_result))
    assert re.search(r"lowers TFP by 0\.\d", mediators), mediators
    zh = " ".join(r.text() for r in readings.read_mechanisms(_in_language(example_result, "zh")))
    assert "降低了-" not in zh and "提高了-" not in zh


def test_matching_reading_says_who_was_matched_and_what_got_worse(example_result):
    c = example_result.matching.result.counts
    assert c["n_matched_treated"] < c["n_treated"]  # the demo loses one treated unit
    text = readings.read_matching(example_result).text()
    assert (
        f"Only {c['n_matched_treated']} of the {c['n_treated']} treated units were matched" in text
    )
    bias = example_result.matching.balance.covariates["pct_bias"]
    worse = [
        cov for cov in dict.fromkeys(k[0] for k in bias.index)
        if abs(bias[cov, "Matched"]) > abs(bias[cov, "Unmatched"])
    ]  # fmt: skip
    assert "the remaining one is off common support" in text and "other 1 are" not in text
    assert worse and "Matching made balance worse for" in text
    for cov in worse:
        assert f"{cov} (|bias| from {abs(bias[cov, 'Unmatched']):.2f}% to" in text
    zh = readings.read_matching(_in_language(example_result, "zh")).text()
    assert "匹配成功" in zh and "平衡性变差" in zh


def test_table3_note_says_whom_the_estimate_describes(example_result):
    c = example_result.matching.result.counts
    notes = " ".join(example_result.tables["table3"].notes)
    assert (
        f"the {c['n_matched_treated']} of {c['n_treated']} treated units on common support" in notes
    )
    assert "kernel matching, base-year mode" in notes


def test_table3_title_drops_psm_when_matching_is_off(project):
    study = project / "study.toml"
    study.write_text(study.read_text() + "\n[matching]\nenabled = false\n")
    result = run_study(load_study(study))
    assert result.tables["table3"].title == "Table 3. DID Estimation Results"
    assert [s.heading for s in report_sections(result) if s.key == "table3"] == [
        "Baseline DID results"
    ]


def test_one_control_has_no_pair_of_controls(project):
    study = project / "study.toml"
    study.write_text(study.read_text().replace('controls = ["x1", "x2"]', 'controls = ["x1"]'))
    text = readings.read_table2(run_study(load_study(study))).text()
    assert "n/a" not in text and "(did, did)" not in text
    assert "the only control variable" in text


def test_a_missing_balance_p_value_is_not_read_as_balance(example_result):
    bal = example_result.matching.balance
    overall = bal.overall.copy()
    overall.loc["Matched", "p_chi2"] = math.nan
    stage = dataclasses.replace(
        example_result.matching, balance=dataclasses.replace(bal, overall=overall)
    )
    text = readings.read_matching(dataclasses.replace(example_result, matching=stage)).text()
    assert "p = n/a" not in text and "balance is not rejected" not in text
    assert "could not be computed" in text


def test_counts_agree_in_number_and_the_base_year_note_is_a_sentence(example_result):
    notes = " ".join(example_result.matching.notes + example_result.panel.notes)
    assert not re.search(r"\b1 (treated )?units\b", notes)
    assert "1 treated unit is off common support" in notes
    assert "Units were matched once, on covariates at their mean over year < 2016." in notes


def test_placebo_figure_says_actual_estimate(example_result):
    import matplotlib.pyplot as plt

    for language, label in (("en", "Actual estimate"), ("zh", "实际估计值")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = example_result.placebo.figure(language=language)
        legend = [
            t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
        ]
        plt.close(fig)
        assert any(label in t for t in legend) and not any("True" in t for t in legend)
    assert "The actual estimate" in readings.read_placebo(example_result).text()


def test_chinese_reports_translate_the_note_bullets(example_result):
    zh = _in_language(example_result, "zh")
    html = next(s for s in report_sections(zh) if s.key == "data").extra_html
    assert "个处理组个体不在共同支撑域内" in html and "名单中有" in html
    assert "off common support" not in html and "roster unit" not in html


def test_python_warnings_become_one_line_notes(project, monkeypatch, capsys):
    from pilotdid.study import stages

    original = stages.run_placebo

    def noisy(cfg, matching):
        warnings.warn(
            "something odd in the placebo draws\nsecond line", RuntimeWarning, stacklevel=1
        )
        return original(cfg, matching)

    monkeypatch.setattr(stages, "run_placebo", noisy)
    monkeypatch.chdir(project)
    assert main(["run", "study.toml"]) == EXIT_OK
    err = capsys.readouterr().err
    line = "  note: placebo: RuntimeWarning: something odd in the placebo draws"
    assert line in err.splitlines()
    assert (
        "second line" not in err
        and "warnings.warn" not in err
        and "Warning:" not in err.replace("RuntimeWarning:", "")
    )
    html = (project / "out" / "report.html").read_text()
    assert "placebo: RuntimeWarning: something odd in the placebo draws" in html
    result = run_study(load_study(project / "study.toml"))
    others = [m for m in result.messages if "adoption is staggered" not in m]  # 2016 and 2017
    assert others == ["placebo: RuntimeWarning: something odd in the placebo draws"]


@pytest.mark.parametrize("n", [1, 3])
def test_counted(n):
    from pilotdid._text import counted

    assert counted(n, "treated unit") == ("1 treated unit" if n == 1 else "3 treated units")
