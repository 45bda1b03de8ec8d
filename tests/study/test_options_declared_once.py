"""The study file's allowed values are the Literals of pilotdid.options, declared once."""

import ast
import pathlib
import typing

import pytest

from pilotdid import options
from pilotdid.errors import StudyFileError
from pilotdid.study.config import parse_study
from pilotdid.study.config_schema import StudyConfig

STUDY = pathlib.Path(__file__).resolve().parents[2] / "src" / "pilotdid" / "study"

BASE = """
[data]
source = "demo"
[treatment]
roster = "bigdata"
[model]
outcome = "lnESF"
controls = ["lnHCL", "FIN"]
"""


def test_no_study_module_declares_its_own_literal():
    for path in STUDY.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.Subscript)
            and getattr(n.value, "id", getattr(n.value, "attr", None)) == "Literal"
        ]
        assert declared == [], f"{path.name}: import the option's Literal from options.py"


def _literals(annotation):
    if typing.get_origin(annotation) is typing.Literal:
        return [annotation]
    return [lit for arg in typing.get_args(annotation) for lit in _literals(arg)]


def test_every_literal_of_the_schema_is_an_options_alias():
    aliases = {id(v) for v in vars(options).values() if typing.get_origin(v) is typing.Literal}
    seen = 0
    sections = [StudyConfig, *(f.annotation for f in StudyConfig.model_fields.values())]
    for model in sections:
        model = next((a for a in typing.get_args(model) if hasattr(a, "model_fields")), model)
        if not hasattr(model, "model_fields"):
            continue
        for name, field in model.model_fields.items():
            for lit in _literals(field.annotation):
                seen += 1
                assert id(lit) in {*aliases}, f"{model.__name__}.{name}: not an options alias"
    assert seen >= 20


@pytest.mark.parametrize(
    ("section", "key", "alias"),
    [("matching", "order", options.MatchOrder), ("matching", "kernel", options.KernelType),
     ("heterogeneity", "rule", options.HalfSplit), ("model", "vcov", options.StudyVcov),
     ("placebo", "kind", options.PlaceboKind)],
)  # fmt: skip
def test_error_messages_list_the_allowed_values(section, key, alias):
    with pytest.raises(StudyFileError) as err:
        parse_study(BASE.replace(f"[{section}]\n", "") + f'[{section}]\n{key} = "nope"\n')
    allowed = ", ".join(repr(v) for v in typing.get_args(alias))
    assert f"{section}.{key}: must be one of {allowed}" in str(err.value)
