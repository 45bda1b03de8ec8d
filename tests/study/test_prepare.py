"""Checks of the study file against its data, filters and the treatment assignment."""

import pandas as pd
import pytest

from pilotdid.errors import PanelError, StudyFileError
from pilotdid.study.config import load_study
from pilotdid.study.prepare import prepare_panel


def edit(project, old, new):
    path = project / "study.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_study(path)


def problem_lines(study):
    with pytest.raises(StudyFileError) as info:
        prepare_panel(study)
    return list(info.value.problems)


def test_a_valid_project_prepares(project):
    panel = prepare_panel(load_study(project / "study.toml"))
    assert len(panel.data) == panel.n_loaded == 24 * 8
    assert panel.treatment.report.n_treated_units == 4
    assert {"treat", "post", "did", "cohort", "rel_time"} <= set(panel.data.columns)
    assert panel.drops == ()
    assert panel.demo is None


def test_missing_data_file(project):
    study = edit(project, 'path = "panel.csv"', 'path = "nowhere/panel.csv"')
    lines = problem_lines(study)
    assert lines == [f"data.path: file not found: {project / 'nowhere' / 'panel.csv'}"]


def test_every_missing_column_at_once_with_suggestions(project):
    study = edit(project, 'controls = ["x1", "x2"]', 'controls = ["x1", "X2", "x3"]')
    (project / "study.toml").write_text(
        (project / "study.toml").read_text()
        + '[[exclusions]]\nname = "e"\ncolumn = "provnce"\nvalues = ["A"]\n'
    )
    lines = problem_lines(load_study(project / "study.toml"))
    assert "model.controls[1]: column 'X2' is not in the data (did you mean 'x2'?)" in lines
    assert any(
        line.startswith("model.controls[2]: column 'x3' is not in the data") for line in lines
    )
    assert (
        "exclusions[0].column: column 'provnce' is not in the data (did you mean 'province'?)"
        in lines
    )
    assert study is not None


def test_roster_units_absent_from_the_data_are_an_error_with_examples(project):
    study = edit(project, '"4" = 2017 }', '"4" = 2017, "901" = 2016, "902" = 2017 }')
    lines = problem_lines(study)
    assert len(lines) == 1
    assert lines[0].startswith(
        "treatment.adoption: 2 roster unit(s) are not in the data column 'city'"
    )
    assert "'901'" in lines[0] and 'absent_units = "note"' in lines[0]


def test_absent_units_can_be_noted_instead(project):
    study = edit(project, "[placebo]", "[placebo]\n")
    text = (
        (project / "study.toml")
        .read_text()
        .replace('"4" = 2017 }', '"4" = 2017, "901" = 2016 }\nabsent_units = "note"')
    )
    (project / "study.toml").write_text(text)
    panel = prepare_panel(load_study(project / "study.toml"))
    assert any("not in the data" in n for n in panel.notes)
    assert study is not None


def test_no_roster_unit_in_the_data(project):
    study = edit(project, '{ "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }', '{ "A1" = 2016 }')
    lines = problem_lines(study)
    assert lines[0].startswith("treatment.adoption: none of the 1 roster unit(s) is in the data")


def test_roster_file_with_wrong_columns(project):
    pd.DataFrame({"id": [1, 2], "year_adopted": [2016, 2017]}).to_csv(
        project / "roster.csv", index=False
    )
    study = edit(
        project,
        'adoption = { "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }',
        'roster_file = "roster.csv"\nroster_unit = "ids"\nroster_year = "year_adopted"',
    )
    assert problem_lines(study) == [
        "treatment.roster_unit: column 'ids' is not in roster.csv (did you mean 'id'?)"
    ]


def test_roster_file_and_adoption_column(project):
    pd.DataFrame({"id": [1, 2, 3], "g": [2016, 2016, 2017]}).to_csv(
        project / "roster.csv", index=False
    )
    study = edit(
        project,
        'adoption = { "1" = 2016, "2" = 2016, "3" = 2017, "4" = 2017 }',
        'roster_file = "roster.csv"\nroster_unit = "id"\nroster_year = "g"',
    )
    assert prepare_panel(study).treatment.report.cohort_sizes == {2016: 2, 2017: 1}


def test_filters_count_what_they_remove(project):
    study = edit(
        project,
        'time = "year"',
        'time = "year"\nfilters = [{ column = "year", min = 2013 }, '
        '{ column = "province", drop = ["A"], label = "drop A" }]',
    )
    panel = prepare_panel(study)
    assert [(d.cause, d.rows) for d in panel.drops] == [
        ("filter: keep year >= 2013", 24),
        ("filter: drop A", 4 * 7),
    ]
    assert len(panel.data) == 24 * 8 - 24 - 4 * 7


def test_min_max_filter_on_text_is_a_problem(project):
    study = edit(
        project, 'time = "year"', 'time = "year"\nfilters = [{ column = "province", min = 1 }]'
    )
    assert problem_lines(study)[0].startswith("data.filters[0]: min/max need a numeric column")


def test_data_problems_raise_panel_error_listing_all(project):
    frame = pd.read_csv(project / "panel.csv")
    frame["x1"] = frame["x1"].astype(object)
    frame.loc[3, "x1"] = "n.a."
    frame = pd.concat([frame, frame.iloc[[0]]])
    frame.to_csv(project / "panel.csv", index=False)
    with pytest.raises(PanelError) as info:
        prepare_panel(load_study(project / "study.toml"))
    message = str(info.value)
    assert (
        "2 problem(s)" in message and "'x1' must be numeric" in message and "duplicate" in message
    )


def test_existing_treatment_columns_are_recomputed_and_noted(project):
    frame = pd.read_csv(project / "panel.csv")
    frame["did"] = 0
    frame.to_csv(project / "panel.csv", index=False)
    panel = prepare_panel(load_study(project / "study.toml"))
    note = next(n for n in panel.notes if n.startswith("column 'did'"))
    assert "recomputed from the roster" in note and "14 of 192 rows differ" in note


def test_matching_base_year_must_be_a_period(project):
    study = edit(project, "[placebo]", "[matching]\nbase = 1999\n[placebo]")
    assert problem_lines(study) == ["matching.base: 1999 is not a period of 'year' (2012-2019)"]
