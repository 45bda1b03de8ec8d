"""Validation of the richer study keys: each problem once, with its key path and a fix."""

import warnings

import numpy as np
import pytest

from pilotdid.errors import StudyFileError
from pilotdid.study.config import load_study, parse_study
from pilotdid.study.pipeline import run_study
from pilotdid.study.prepare import prepare_panel

from .rich_panel import rich_panel, write_study

HEAD = '[data]\nsource = "demo"\n[treatment]\nroster = "bigdata"\n'


def problems(text: str) -> str:
    with pytest.raises(StudyFileError) as err:
        parse_study(HEAD + text)
    return str(err.value)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ('outcomes = ["lnESF", "TFP", "lnESF"]', "model.outcomes: lists 'lnESF' twice"),
        ("outcomes = []", "model.outcomes: list at least one outcome column"),
        ('outcome = "TFP"\noutcomes = ["lnESF", "TFP"]', "model.outcome: 'TFP' is not the first"),
        (
            'outcomes = ["lnESF", "FIN"]\ncontrols = ["FIN"]',
            "model.controls: contains the outcome 'FIN'",
        ),
        ('outcome = "lnESF"\nweights = "lnESF"', "model.weights: 'lnESF' is also model.outcome"),
        (
            'outcome = "lnESF"\ncontrols = ["FIN"]\nweights = "FIN"',
            "model.weights: 'FIN' is also model.controls",
        ),
        ('outcome = "lnESF"\nweights = ""', "model.weights: give the weight column's name"),
        (
            'outcome = "lnESF"\nfixed_effects = ["code", "province^"]',
            "model.fixed_effects[1]: 'province^' has an empty name",
        ),
        (
            'outcome = "lnESF"\nfixed_effects = ["year^year"]',
            "model.fixed_effects[0]: 'year^year' interacts a column with itself",
        ),
        (
            'outcome = "lnESF"\nfixed_effects = ["province^year", "year^province"]',
            "model.fixed_effects[1]: 'year^province' is listed twice",
        ),
        (
            'outcome = "lnESF"\nweigths = "pop"',
            "model.weigths: unknown key (did you mean 'weights'?)",
        ),
        ('outcome = "lnESF"\nweights = 3', "model.weights"),
        ('outcomes = "lnESF"', "model.outcomes"),
    ],
)
def test_model_key_problems(model, expected):
    controls = "" if "controls" in model else "controls = []\n"
    msg = problems(f"[model]\n{controls}{model}\n[matching]\nenabled = false\n")
    assert expected in msg


def test_outcomes_alone_set_the_headline_outcome():
    cfg = parse_study(HEAD + '[model]\noutcomes = ["TFP", "lnESF"]\ncontrols = ["FIN"]\n').config
    assert cfg.model.outcome == "TFP" and cfg.model.outcome_list == ["TFP", "lnESF"]
    assert "model.outcome: required key is missing" in problems("[model]\ncontrols = []\n")


def test_indicator_keys():
    text = (
        '[data]\nsource = "demo"\n[treatment]\n{}\n[model]\noutcome = "lnESF"\ncontrols = ["FIN"]\n'
    )
    with pytest.raises(StudyFileError, match="treatment.indicator: use only one of roster"):
        parse_study(text.format('roster = "bigdata"\nindicator = "TP"'))
    with pytest.raises(StudyFileError, match="treatment.allow_switch_off: only applies with"):
        parse_study(text.format('roster = "bigdata"\nallow_switch_off = true'))
    with pytest.raises(StudyFileError, match="treatment.indicator: 'year' is the unit or period"):
        parse_study(text.format('indicator = "year"'))
    with pytest.raises(StudyFileError, match="or indicator"):
        parse_study(text.format(""))


BASE = """
[treatment]
indicator = "TP"
[model]
outcome = "lnESF"
controls = ["lnHCL"]
{model}
[staggered]
enabled = {staggered}
"""


def _prepare(tmp_path, model="", staggered="false", frame=None):
    path = write_study(tmp_path, BASE.format(model=model, staggered=staggered), frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare_panel(load_study(path))


def test_columns_named_by_the_new_keys_must_be_in_the_data(tmp_path):
    model = 'outcomes = ["lnESF", "TPF"]\nweights = "popp"\nfixed_effects = ["code", "regoin^year"]'
    with pytest.raises(StudyFileError) as err:
        _prepare(tmp_path, model.replace('outcome = "lnESF"', ""))
    msg = str(err.value)
    assert "model.outcomes[1]: column 'TPF' is not in the data (did you mean" in msg
    assert "model.weights: column 'popp' is not in the data (did you mean 'pop'" in msg
    assert (
        "model.fixed_effects[1]: column 'regoin' is not in the data (did you mean 'region'" in msg
    )


def test_negative_weights_are_refused(tmp_path):
    frame = rich_panel()
    frame.loc[3, "pop"] = -1.0
    with pytest.raises(StudyFileError, match=r"model.weights: column 'pop' has 1 negative value"):
        _prepare(tmp_path, 'weights = "pop"', frame=frame)


def test_weights_varying_within_units_are_refused_when_cs_runs(tmp_path):
    with pytest.raises(StudyFileError) as err:
        _prepare(tmp_path, 'weights = "pop"', staggered='"auto"')
    assert "model.weights: 'pop' varies within" in str(err.value)
    assert 'remove "cs" from staggered.estimators' in str(err.value)
    assert _prepare(tmp_path, 'weights = "pop"', staggered="false").data.shape[0] > 0
    assert _prepare(tmp_path, 'weights = "pop0"', staggered='"auto"').data.shape[0] > 0


def test_switch_off_is_refused_then_allowed(tmp_path):
    frame = rich_panel()
    last = frame["year"].max()
    early = frame.loc[(frame["TP"] == 1) & (frame["year"] < last - 1), "code"]
    on_last = frame.loc[(frame["TP"] == 1) & (frame["year"] == last), "code"]
    treated = np.intersect1d(early.unique(), on_last.unique())[:7]
    frame.loc[frame["code"].isin(treated) & (frame["year"] == last), "TP"] = 0
    with pytest.raises(StudyFileError) as err:
        _prepare(tmp_path, frame=frame)
    msg = str(err.value)
    assert "treatment.indicator: the indicator 'TP' switches off (1, then 0) in 7 unit(s)" in msg
    assert "treatment.allow_switch_off = true" in msg and ", ..." in msg
    path = write_study(tmp_path, BASE.format(model="", staggered="false"), frame)
    text = path.read_text().replace('indicator = "TP"', 'indicator = "TP"\nallow_switch_off = true')
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = prepare_panel(load_study(path))
    assert any(
        "allow_switch_off = true: each unit's first adoption is kept" in n for n in panel.notes
    )
    did = panel.data.loc[panel.data["code"].isin(treated) & (panel.data["year"] == last), "did"]
    assert (did == 1).all()  # absorbing from the first adoption on


def test_model_weights_times_matching_weights(tmp_path):
    pf = pytest.importorskip("pyfixest")
    body = BASE.format(model='weights = "pop0"', staggered="false") + (
        '[matching]\nsample = "weights"\n[placebo]\nenabled = false\n'
        "[event_study]\nenabled = false\n[sensitivity]\nenabled = false\n"
    )
    result = run_study(load_study(write_study(tmp_path, body)))
    sample = result.sample
    assert result.matching.weights == "_weight_x_model"
    np.testing.assert_allclose(sample["_weight_x_model"], sample["_weight"] * sample["pop0"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("lnESF ~ did + lnHCL | code + year", sample.assign(w=sample["_weight"] * sample["pop0"]),
                       vcov={"CRV1": "code"}, weights="w")  # fmt: skip
    np.testing.assert_allclose(result.main.coef()["did"], ref.coef()["did"], rtol=1e-8)
    np.testing.assert_allclose(result.main.se()["did"], ref.se()["did"], rtol=1e-8)
    assert "weighted by pop0 times the matching weights" in result.tables["table3"].to_text()


def test_rows_a_further_outcome_leaves_out_are_counted(tmp_path):
    frame = rich_panel()
    frame.loc[frame.index[::50], "TFP"] = np.nan
    body = (
        BASE.format(model='outcomes = ["lnESF", "TFP"]', staggered="false").replace(
            'outcome = "lnESF"\n', ""
        )
        + "[placebo]\nenabled = false\n[sensitivity]\nenabled = false\n"
    )
    result = run_study(load_study(write_study(tmp_path, body, frame)))
    (tfp,) = result.baseline.outcomes.values()
    drops = [d for d in result.drops() if d.stage == "Table 3 (3) TFP"]
    assert drops and sum(d.rows for d in drops) == len(result.sample) - tfp.nobs > 0
    assert list(result.outcome_events) == ["TFP"]
