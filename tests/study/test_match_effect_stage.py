"""The study's matching estimate of the ATT: matching.se, the table, the reading, the notes."""

import re

import pilotdid as pdid
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study
from tests.study.conftest import MINIMAL, small_panel

QUICK = {"placebo.enabled": False, "event_study.enabled": False}


def _run(project, **overrides):
    return run_study(load_study(project / "study.toml", overrides={**QUICK, **overrides}))


def test_the_matching_section_shows_the_att_with_its_se(project):
    res = run_study(load_study(project / "study.toml", overrides={"placebo.draws": 5}))
    eff = res.matching.effect
    # base_year matching: the outcome of the last period, Abadie-Imbens SE with J = 2
    direct = pdid.matching_effect(res.matching.result, "y", period=2019)
    assert (eff.estimate, eff.se, eff.se_type, eff.J) == (direct.estimate, direct.se, "ai", 1)
    assert "matching_effect" in res.tables
    page = (res.write_report(project / "out") / "report.html").read_text(encoding="utf-8")
    section = page.split('<section id="matching">')[1].split("</section>")[0]
    text = re.sub("<[^>]+>", "", section)
    assert "The matching estimate of the ATT on y in 2019 is" in text
    assert "(standard error " in text
    assert "Abadie-Imbens (2006), conditional variances from J = 1 same-arm match(es)" in text
    assert "t-matching_effect" in section


def test_the_se_named_is_the_one_asked(project):
    res = _run(project, **{"matching.se": "standard", "matching.effect_period": 2017})
    eff = res.matching.effect
    assert eff.se_type == "standard" and eff.se == eff.se_standard
    direct = pdid.matching_effect(res.matching.result, "y", period=2017, se="standard")
    assert eff.estimate == direct.estimate
    assert "fixed" in res.tables["matching_effect"].notes[0]


def test_a_bootstrap_request_warns_and_reports_ai(project):
    res = _run(project, **{"matching.se": "bootstrap", "matching.se_matches": 1})
    assert res.matching.effect.se_type == "ai" and res.matching.effect.J == 1
    assert any("Abadie & Imbens 2008" in n for n in res.matching.notes)


def test_kernel_matching_has_no_estimate_and_says_why(project):
    res = _run(project, **{"matching.method": "kernel"})
    assert res.matching.effect is None and "matching_effect" not in res.tables
    assert any("nearest-neighbour" in n for n in res.matching.notes)


def test_ai_pscore_is_a_study_option_named_in_the_report(tmp_path):
    # 200 cities, 40 of them treated in 2016 (the adjustment needs more than a handful)
    small_panel(n_units=200, seed=4).to_csv(tmp_path / "panel.csv", index=False)
    treated = ", ".join(f'"{u}" = 2016' for u in range(1, 41))
    study = re.sub(r"adoption = \{[^}]*\}", "adoption = {" + treated + "}", MINIMAL)
    (tmp_path / "study.toml").write_text(study, encoding="utf-8")
    res = _run(tmp_path, **{"matching.se": "ai_pscore"})
    eff, match = res.matching.effect, res.matching.result
    direct = pdid.matching_effect(match, "y", period=2019, se="ai_pscore")
    assert (eff.estimate, eff.se, eff.se_type) == (direct.estimate, direct.se, "ai_pscore")
    assert eff.se > 0 and eff.se != pdid.matching_effect(match, "y", period=2019).se
    page = (res.write_report(tmp_path / "out") / "report.html").read_text(encoding="utf-8")
    text = re.sub("<[^>]+>", "", page.split('<section id="matching">')[1].split("</section>")[0])
    assert "Abadie-Imbens (2016), adjusted for the estimated propensity score" in text


def test_ai_pscore_on_a_tiny_treated_group_is_skipped_with_a_note(project):
    res = _run(project, **{"matching.se": "ai_pscore"})
    assert res.matching.effect is None
    assert any("adjusted variance is not positive" in n for n in res.matching.notes)


def test_ai_pscore_without_replacement_is_skipped_with_a_note(project):
    res = _run(project, **{"matching.se": "ai_pscore", "matching.replace": False})
    assert res.matching.effect is None
    assert any("with replacement" in n for n in res.matching.notes)


def test_units_without_the_outcome_are_left_out_and_the_rest_matched_again(tmp_path):
    # 4 controls lack y in 2019: the estimate is that of a study without them (teffects'
    # complete-case sample), while the PSM-DID keeps the full match
    panel = small_panel(n_units=200, seed=4)
    treated = ", ".join(f'"{u}" = 2016' for u in range(1, 41))
    study = re.sub(r"adoption = \{[^}]*\}", "adoption = {" + treated + "}", MINIMAL)
    lacking = [101, 102, 103, 104]
    gaps = panel.assign(y=panel.y.mask(panel.city.isin(lacking) & (panel.year == 2019)))
    for name, frame in (("gaps", gaps), ("without", panel[~panel.city.isin(lacking)])):
        (tmp_path / name).mkdir()
        frame.to_csv(tmp_path / name / "panel.csv", index=False)
        (tmp_path / name / "study.toml").write_text(study, encoding="utf-8")
    res, ref = _run(tmp_path / "gaps"), _run(tmp_path / "without")
    assert (res.matching.effect.estimate, res.matching.effect.se) == (
        ref.matching.effect.estimate,
        ref.matching.effect.se,
    )
    assert any("4 units without 'y' in 2019 are left out" in n for n in res.matching.notes)
    assert len(res.matching.result.frame) == len(ref.matching.result.frame) + 4
