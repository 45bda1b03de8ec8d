"""The one en/zh text catalogue: every key has both languages, and no other module holds Chinese."""

import ast
import pathlib
import re
import string

import pytest

from pilotdid.errors import PilotdidError
from pilotdid.tables.strings import STRINGS, text

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "pilotdid"

#: CJK ideographs, CJK punctuation (、。「」) and full-width forms (，：；（）).
CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

#: Strings with Chinese characters allowed outside the catalogue: (module, text, why).
ALLOWED = {
    ("tables/table.py", "表"): "parses the number of a user's Chinese title (表3), shows nothing",
    ("tables/fonts.py", "中"): "the glyph probed to tell whether a font can draw Chinese",
}


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def test_every_key_has_both_languages():
    assert len(STRINGS) > 250
    for key, pair in STRINGS.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        en, zh = pair
        assert isinstance(en, str) and en.strip(), key
        assert isinstance(zh, str) and zh.strip(), key
        assert not CJK.search(en), f"{key}: Chinese text in the English entry"


# Entries whose two languages are built from different pieces (one call fills both; each side
# ignores the fields the other uses).
_DIFFERENT_FIELDS = {"table.stars_note"}


def test_both_languages_take_the_same_fields():
    for key, (en, zh) in STRINGS.items():
        if key not in _DIFFERENT_FIELDS:
            assert _fields(en) == _fields(zh), key


def test_keys_are_grouped_by_area():
    plain = [k for k in STRINGS if "." not in k]  # the report's own strings (captions, sections)
    assert {"table3", "sec_data", "figure1"} <= set(plain)
    areas = {k.split(".")[0] for k in STRINGS if "." in k}
    assert areas == {
        "table",
        "fe",
        "vcov",
        "mech",
        "fig",
        "reading",
        "word",
        "sig",
        "note",
        "stage",
        "spec",  # the specification curve's summary and table
    }


def test_text_fills_fields_and_picks_the_language():
    assert text("table.listwise", "en", n=5) == "N = 5 (listwise deletion)"
    assert text("table.listwise", "zh", n=5) == "N = 5（成列删除）"
    assert (
        text("fig.placebo.title", "zh", n=1000, kind="随机个体")
        == "安慰剂检验：1,000 次随机抽样（随机个体）"
    )
    with pytest.raises(PilotdidError, match="no report string named 'nope'"):
        text("nope")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _chinese_strings(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and CJK.search(node.value)
    ]


def test_no_module_outside_the_catalogue_holds_chinese_text():
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if re.fullmatch(r"tables/strings(_\w+)?\.py", rel):
            continue
        bad = [
            s for s in _chinese_strings(path)
            if not any(rel == m and allowed in s for m, allowed in ALLOWED)
        ]  # fmt: skip
        if bad:
            found[rel] = bad
    assert found == {}, "move these texts into the catalogue (pilotdid.tables.strings)"


def test_the_scan_finds_chinese_code_strings_but_not_docstrings(tmp_path):
    mod = tmp_path / "m.py"
    mod.write_text('"""模块。"""\n\ndef f():\n    """函数。"""\n    return "观测值"\n', "utf-8")
    assert _chinese_strings(mod) == ["观测值"]
    mod.write_text('x = f"{1}、{2}"\n', "utf-8")
    assert _chinese_strings(mod) == ["、"]
