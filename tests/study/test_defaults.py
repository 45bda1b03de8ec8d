"""One source of truth for defaults: the template, the schema and the public API agree.

`pilotdid init` writes the template; deleting one of its lines must not change the design, so
every value it sets is the schema's default, except the example content it needs to run at once
(the demo data, the roster, the variables). The schema's defaults in turn are the defaults of
the public functions the stages call, so the API and the study file give the same estimates.
"""

import inspect
import tomllib
from importlib import resources

import pytest
from pydantic import BaseModel

from pilotdid.did.att_gt import att_gt
from pilotdid.did.event_study import event_study
from pilotdid.matching.api import match
from pilotdid.mechanisms.heterogeneity import heterogeneity
from pilotdid.robustness.placebo import placebo
from pilotdid.study.config import StudyConfig

# Values the template sets on purpose, to run on the demo panel as written.
EXAMPLE_CONTENT = {
    "data.source", "data.unit", "data.time", "treatment.roster", "model.outcome",
    "model.controls", "exclusions", "mechanisms.mediators", "heterogeneity.split_by",
    "moderation.moderators", "report.labels.en", "report.labels.zh",
}  # fmt: skip


def _template() -> dict:
    text = resources.files("pilotdid.study").joinpath("template.toml").read_text("utf-8")
    return tomllib.loads(text)


def _walk(model: type[BaseModel], raw: dict, prefix: str = ""):
    for key, value in raw.items():
        path = f"{prefix}{key}"
        field = model.model_fields[key]
        sub = field.annotation
        if isinstance(value, dict) and isinstance(sub, type) and issubclass(sub, BaseModel):
            if path not in EXAMPLE_CONTENT:
                yield from _walk(sub, value, path + ".")
            continue
        yield path, value, field


def test_every_template_value_is_the_schema_default():
    drift = []
    for path, value, field in _walk(StudyConfig, _template()):
        if path in EXAMPLE_CONTENT or field.is_required():
            continue
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = default.model_dump()
        if value != default:
            drift.append(f"{path}: template {value!r}, schema default {default!r}")
    assert not drift, "\n".join(drift)


def test_the_template_sets_the_keys_that_matter():
    raw = _template()
    assert {"base", "common_support", "method", "sample"} <= set(raw["matching"])
    assert "caliper" not in raw["matching"]  # default none: commented out


def _defaults(function) -> dict:
    return {
        k: p.default
        for k, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


# schema key -> (function, parameter): the stages pass these straight through
API = {
    "matching": (match, {
        "score": "model", "method": "method", "neighbors": "k", "replace": "replace",
        "ties": "ties", "order": "order", "caliper": "caliper", "caliper_scale": "caliper_scale",
        "kernel": "kernel", "bandwidth": "bandwidth", "common_support": "common", "trim": "trim",
        "base": "base",
    }),
    "placebo": (placebo, {"draws": "draws", "kind": "kind"}),
    "event_study": (event_study, {"window": "window", "ref": "ref", "bin_endpoints": "bin_endpoints"}),
    "staggered": (att_gt, {
        "control_group": "control_group", "method": "method", "anticipation": "anticipation",
        "bootstrap": "bootstrap",
    }),
    "heterogeneity": (heterogeneity, {
        "rule": "split", "measured": "measured", "test": "test", "permutations": "permutations",
    }),
}  # fmt: skip


@pytest.mark.parametrize("section", sorted(API))
def test_schema_defaults_are_the_api_defaults(section):
    function, keys = API[section]
    model = StudyConfig.model_fields[section].annotation
    api = _defaults(function)
    for key, param in keys.items():
        schema = model.model_fields[key].default
        value = api[param]
        value = list(value) if isinstance(value, tuple) else value
        assert schema == value, (
            f"{section}.{key} = {schema!r} but {function.__name__}({param}={value!r})"
        )
