"""[inference]: the wild cluster bootstrap of Table 3 when clusters are few."""

import pytest

import pilotdid as pdid
from pilotdid.study.config import parse_study

STUDY = """
[data]
source = "demo"
[treatment]
roster = "bigdata"
[model]
outcome = "lnESF"
controls = ["lnHCL", "FIN"]
{cluster}
[placebo]
enabled = false
[event_study]
enabled = false
[staggered]
enabled = false
[mechanisms]
enabled = false
[heterogeneity]
enabled = false
[moderation]
enabled = false
[inference]
B = 999
{inference}
"""


def study(cluster="", inference=""):
    return pdid.run_study(parse_study(STUDY.format(cluster=cluster, inference=inference)))


@pytest.fixture(scope="module")
def by_province():
    return study(cluster='cluster = "province"')


def test_few_clusters_bring_the_wild_bootstrap(by_province):
    base = by_province.baseline
    assert [c.title for c in base.wild] == list(base.models)
    main = base.wild[-1]
    assert main.count.clusters < 50
    direct = base.models[main.title].wild_bootstrap("did", B=999, seed=2024)
    assert main.result.p_value == pytest.approx(direct.p_value, abs=0)
    assert main.result.conf_low == pytest.approx(direct.conf_low, rel=1e-12)
    notes = " ".join(base.table.notes)
    assert "Wild cluster bootstrap (WCR" in notes and f"p = {main.result.p_value:.3f}" in notes


def test_the_report_says_which_p_value_it_relies_on(by_province):
    from pilotdid.report.readings_inference import read_inference

    (r,) = read_inference(by_province)
    col = len(by_province.baseline.models)
    numbers = r.numbers()
    assert numbers[f"inference.({col}).p_wcr"] == by_province.baseline.wild[-1].result.p_value
    assert "relies on the bootstrap p-value" in r.text()


def test_many_clusters_skip_it_and_the_switch_forces_or_disables_it():
    auto = study()
    assert auto.baseline.wild == ()  # 279 city clusters, 79 treated
    forced = study(inference="wild_bootstrap = true")
    assert len(forced.baseline.wild) == len(forced.baseline.models)
    off = study(cluster='cluster = "province"', inference="wild_bootstrap = false")
    assert off.baseline.wild == ()


def test_bad_inference_keys_are_study_file_errors():
    with pytest.raises(pdid.StudyFileError, match="inference.weights"):
        parse_study(STUDY.format(cluster="", inference='weights = "webbs"'))
    with pytest.raises(pdid.StudyFileError, match="inference.B"):
        parse_study(STUDY.format(cluster="", inference="B = 0").replace("B = 999\n", ""))
