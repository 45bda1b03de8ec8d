"""The study-file schema: valid files load, every problem is reported at once with its key path."""

import hashlib
from importlib import resources

import pytest

from pilotdid.errors import StudyFileError
from pilotdid.study.config import StudyConfig, load_study, parse_study
from tests.study.conftest import EXAMPLE

BASE = """
[data]
source = "demo"
[treatment]
roster = "bigdata"
[model]
outcome = "lnESF"
controls = ["lnHCL", "FIN"]
"""


def problems(text):
    with pytest.raises(StudyFileError) as info:
        parse_study(text)
    return list(info.value.problems), str(info.value)


def test_the_example_and_the_template_are_valid():
    example = load_study(EXAMPLE).config
    assert example.model.outcome == "lnESF"
    assert example.treatment.names.did == "TP"
    assert example.exclusions[0].values == ["Inner Mongolia", "Ningxia", "Xinjiang", "Guangxi"]
    template = resources.files("pilotdid.study").joinpath("template.toml").read_text("utf-8")
    config = parse_study(template).config
    assert config.data.source == "demo" and config.placebo.draws == 500


def test_the_packaged_demo_study_is_the_example_file():
    packaged = resources.files("pilotdid.study").joinpath("bigdata_pilot.toml").read_text("utf-8")
    assert packaged == EXAMPLE.read_text(encoding="utf-8")


def test_defaults_are_filled_from_other_keys():
    cfg = parse_study(BASE).config
    assert (cfg.data.unit, cfg.data.time) == ("code", "year")
    assert cfg.model.fixed_effects == ["code", "year"]
    assert cfg.model.cluster == "code"
    assert cfg.covariates == ["lnHCL", "FIN"]
    assert cfg.seed_for("placebo") == cfg.study.seed == 2024
    assert parse_study(BASE + "[placebo]\nseed = 7\n").config.seed_for("placebo") == 7


def test_unknown_keys_get_a_suggestion_with_their_key_path():
    lines, message = problems(BASE + "[matching]\ncalipr = 0.05\n[mechanism]\nmediators = []\n")
    assert "matching.calipr: unknown key (did you mean 'caliper'" in message
    assert "mechanism: unknown section or key (did you mean 'mechanisms'?)" in lines
    assert message.startswith("study.toml has 2 problems:")


def test_wrong_types_say_what_is_expected_and_what_was_given():
    lines, _ = problems(BASE + '[placebo]\ndraws = "many"\n[report]\nlanguage = "fr"\ndpi = 10\n')
    assert 'placebo.draws: must be a positive integer, got "many"' in lines
    assert "report.language: must be one of 'en', 'zh', got \"fr\"" in lines
    assert "report.dpi: must be an integer >= 50 and <= 600, got 10" in lines


def test_strict_types_refuse_numbers_written_as_text():
    lines, _ = problems(BASE + '[placebo]\ndraws = "500"\n')
    assert lines == ['placebo.draws: must be a positive integer, got "500"']


def test_typos_in_choices_get_a_suggestion():
    lines, _ = problems(BASE.replace('"bigdata"', '"bigdat"'))
    assert lines == [
        "treatment.roster: must be one of 'bigdata', got \"bigdat\" (did you mean 'bigdata'?)"
    ]


def test_union_fields_give_one_line():
    lines, _ = problems(BASE + '[matching]\nbase = "pre"\n')
    assert lines == [
        "matching.base: must be one of 'first', 'pre_mean' or an integer, got \"pre\" "
        "(did you mean 'pre_mean'?)"
    ]


def test_list_items_and_array_tables_have_indexed_paths():
    text = BASE.replace('["lnHCL", "FIN"]', '["lnHCL", 3]') + (
        '[[exclusions]]\nname = "x"\ncolumn = "province"\nvalues = [1]\n'
        '[[exclusions]]\nname = "y"\ncolumn = 5\nvalues = [1]\n'
    )
    lines, _ = problems(text)
    assert "model.controls[1]: must be text (in quotes), got 3" in lines
    assert "exclusions[1].column: must be text (in quotes), got 5" in lines


def test_missing_required_sections_and_keys():
    lines, _ = problems('[data]\nsource = "demo"\n[model]\ncontrols = []\n')
    assert "treatment: required key is missing" in lines
    assert "model.outcome: required key is missing" in lines


def test_cross_field_problems_are_reported_together():
    text = """
[data]
path = "panel.csv"
[treatment]
roster = "bigdata"
adoption_column = "g"
post_common = 2016
[model]
outcome = "y"
controls = ["y"]
[matching]
method = "radius"
[event_study]
window = [1, 3]
"""
    lines, _ = problems(text)
    assert "data.unit: required key is missing (the unit column's name)" in lines
    assert "data.time: required key is missing (the time column's name)" in lines
    assert "treatment.adoption_column: use only one of roster, adoption_column" in lines
    assert 'treatment.post_common: only applies with post = "common"' in lines
    assert 'matching.caliper: method = "radius" needs a caliper (the radius)' in lines
    assert "event_study.window: needs first lead < 0 <= last lag, got [1, 3]" in lines
    assert "model.controls: contains the outcome 'y'" in lines


def test_nobody_treated_is_a_problem():
    lines, _ = problems(BASE.replace('roster = "bigdata"', 'post = "adoption"'))
    assert lines[0].startswith("treatment: say who is treated with one of roster")


def test_invalid_toml_names_the_line():
    with pytest.raises(StudyFileError, match=r"study.toml is not valid TOML: .*line 2"):
        parse_study('[data]\nsource = "demo\n')


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(StudyFileError, match="study file not found: .*nope.toml.*pilotdid init"):
        load_study(tmp_path / "nope.toml")
    with pytest.raises(StudyFileError, match="study file is a folder"):
        load_study(tmp_path)


def test_not_utf8(tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes(b'[data]\nsource = "d\xe9mo"\n')
    with pytest.raises(StudyFileError, match="not UTF-8 text"):
        load_study(path)


def test_load_records_path_hash_and_base_dir(tmp_path):
    path = tmp_path / "sub" / "my.toml"
    path.parent.mkdir()
    path.write_text(BASE, encoding="utf-8")
    study = load_study(path)
    assert study.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert study.base_dir == path.parent
    assert study.name == "my.toml"
    assert study.resolve("panel.csv") == path.parent / "panel.csv"
    assert study.output_dir() == path.parent / "out"
    assert study.output_dir("elsewhere").is_absolute()


def test_overrides_are_validated_like_the_file():
    study = parse_study(BASE, overrides={"placebo.draws": 50, "study.seed": 9})
    assert study.config.placebo.draws == 50 and study.config.study.seed == 9
    assert study.overrides == (("placebo.draws", 50), ("study.seed", 9))
    with pytest.raises(StudyFileError, match=r"placebo\.drawz: unknown key \(did you mean 'draws'"):
        parse_study(BASE, overrides={"placebo.drawz": 50})
    with pytest.raises(
        StudyFileError, match="model.outcome.x: cannot set it, model.outcome is not a table"
    ):
        parse_study(BASE, overrides={"model.outcome.x": 1})


def test_the_config_is_frozen():
    cfg = parse_study(BASE).config
    assert isinstance(cfg, StudyConfig)
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its ValidationError subclass
        cfg.placebo.draws = 3


def test_the_readme_error_example_is_what_pilotdid_prints():
    readme = (EXAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```\nstudy.toml has 3 problems:")[1].split("```")[0]
    _, message = problems(
        BASE + '[matching]\ncalipr = 0.05\n[placebo]\ndraws = "many"\n[report]\nlanguage = "fr"\n'
    )
    assert message == "study.toml has 3 problems:" + shown.rstrip("\n")
