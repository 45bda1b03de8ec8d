import pytest

from pilotdid.errors import PilotdidError
from pilotdid.tables.labels import Labels
from pilotdid.tables.strings import STRINGS


def test_every_fixed_text_has_both_languages():
    # the stars legend is built from different pieces in each language (see test_strings.py)
    fixed = {k: v for k, v in STRINGS.items() if k.startswith("table.") and k != "table.stars_note"}
    assert len(fixed) > 40
    for key, (en, zh) in fixed.items():
        assert en and zh, key
        assert en.count("{") == zh.count("{"), key


@pytest.mark.parametrize(
    ("key", "zh"),
    [("variables", "变量"), ("obs", "观测值"), ("mean", "均值"), ("sd", "标准差"), ("min", "最小值"),
     ("max", "最大值"), ("observations", "观测值"), ("r2", "R²"), ("controls", "控制变量"),
     ("yes", "是"), ("no", "否"), ("below_se", "括号内为标准误"), ("constant", "常数项")],
)  # fmt: skip
def test_chinese_fixed_strings(key, zh):
    assert Labels(language="zh").text(key) == zh


def test_fixed_effect_labels():
    en, zh = Labels(), Labels(language="zh")
    assert en.fixef("city") == "City FE" and zh.fixef("city") == "城市固定效应"
    assert en.fixef("year") == "Year FE" and zh.fixef("year") == "年份固定效应"
    assert en.fixef("city^year") == "City × Year FE"
    assert en.fixef("code") == "code FE"
    own = Labels(en={"code": "City"}, zh={"code": "城市"})
    assert (
        own.fixef("code") == "City FE" and own.with_language("zh").fixef("code") == "城市固定效应"
    )


def test_variable_labels_fall_back_zh_to_en_to_name():
    lab = Labels(
        en={"lnESF": "ln ESF", "TP": "Treat × Post"}, zh={"lnESF": "出口技术复杂度"}, language="zh"
    )
    assert lab.var("lnESF") == "出口技术复杂度"
    assert lab.var("TP") == "Treat × Post"
    assert lab.var("HUM") == "HUM"


def test_terms_intercept_and_interactions():
    lab = Labels(en={"freedom": "Openness"})
    for name in ("Intercept", "(Intercept)", "_cons", "const"):
        assert lab.term(name) == "Constant"
    assert lab.with_language("zh").term("_cons") == "常数项"
    assert lab.term("TP:freedom") == "TP × Openness"
    assert Labels(en={"TP:freedom": "TP×FDI"}).term("TP:freedom") == "TP×FDI"


def test_vcov_labels_in_chinese():
    zh = Labels(language="zh")
    assert zh.vcov("clustered by city") == "聚类到城市层面的稳健标准误"
    assert zh.vcov("clustered by city and year") == "聚类到城市和年份层面的稳健标准误"
    assert zh.vcov("heteroskedasticity-robust (HC1)") == "异方差稳健标准误"
    assert zh.vcov("something new") == "something new"
    assert Labels().vcov("clustered by city") == "clustered by city"
    assert (
        Labels(en={"code": "City"}).vcov("clustered by code and year")
        == "clustered by City and year"
    )
    assert (
        Labels(zh={"code": "城市"}, language="zh").vcov("clustered by code")
        == "聚类到城市层面的稳健标准误"
    )
    assert Labels().vcov("iid") == "iid" and Labels().vcov("") == ""


def test_coerce():
    assert Labels.coerce(None, "zh").language == "zh"
    assert Labels.coerce({"a": "甲"}, "zh").var("a") == "甲"
    both = Labels(en={"a": "A"}, zh={"a": "甲"})
    assert Labels.coerce(both, "zh").var("a") == "甲" and Labels.coerce(both, "en").var("a") == "A"
    with pytest.raises(PilotdidError, match="language='fr' is not allowed"):
        Labels.coerce(None, "fr")
    with pytest.raises(PilotdidError, match="labels= must be"):
        Labels.coerce(["a"], "en")
    with pytest.raises(PilotdidError, match=r"Labels\(en=...\) must be a mapping"):
        Labels(en=["a"])
    with pytest.raises(PilotdidError, match="no fixed table text named 'nope'"):
        Labels().text("nope")
