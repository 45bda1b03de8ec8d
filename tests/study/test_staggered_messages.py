"""The study pipeline and the CLI say once that adoption is staggered (item 6 of issue #12)."""

from __future__ import annotations

import numpy as np

import pilotdid as pdid
from pilotdid.cli import EXIT_OK, main
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study
from tests.study.conftest import MINIMAL

SAID = "adoption is staggered"


def test_run_study_keeps_one_message_from_the_baseline_stage(project):
    result = run_study(load_study(project / "study.toml"))
    said = [m for m in result.messages if SAID in m]
    assert len(said) == 1 and said[0].startswith("baseline: adoption is staggered (2 cohorts")
    names = result.study.config.treatment.names
    sample = result.matching.sample
    share = pdid.bacon(sample, "y", unit="city", time="year", cohort=names.cohort).forbidden_share
    assert f"{share:.1%} of the TWFE DID's weight" in said[0]
    assert result.event_study is not None  # the event-study stage ran and stayed quiet


def test_cli_run_prints_it_once_and_the_report_lists_it_once(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert main(["run", "study.toml"]) == EXIT_OK
    err = capsys.readouterr().err
    assert err.count(SAID) == 1
    assert any(line.startswith("  note: baseline: " + SAID) for line in err.splitlines())
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count(SAID) == 1


def test_cli_validate_says_it(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    assert main(["validate", "study.toml"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count(SAID) == 1 and "pilotdid.att_gt" in out


def test_one_cohort_says_nothing(project, monkeypatch, capsys):
    one = MINIMAL.replace('"3" = 2017, "4" = 2017', '"3" = 2016, "4" = 2016')
    (project / "study.toml").write_text(one, encoding="utf-8")
    result = run_study(load_study(project / "study.toml"))
    assert not [m for m in result.messages if SAID in m]
    monkeypatch.chdir(project)
    assert main(["validate", "study.toml"]) == EXIT_OK
    assert SAID not in capsys.readouterr().out
    assert np.isfinite(result.main.coef().iloc[0])
