"""The written outputs: every file and section, and numbers in the report equal to the results."""

import html
import json
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from pilotdid.report.build import MARKER, collect_tables
from pilotdid.study.config import load_study
from pilotdid.study.figures import FIGURE_KEYS
from pilotdid.study.pipeline import run_study

SECTIONS = [
    "data", "table1", "table2", "matching", "table3", "placebo", "event", "staggered", "exclusions", "table4",
    "table5", "truth", "repro",
]  # fmt: skip
SPAN = re.compile(r'<span class="num" data-key="([^"]+)" data-value="([^"]+)">([^<]+)</span>')


@pytest.fixture(scope="module")
def page(example_output):
    return (example_output / "report.html").read_text(encoding="utf-8")


def spans(text):
    return [(html.unescape(k), float(v), html.unescape(s)) for k, v, s in SPAN.findall(text)]


def test_every_file_is_written(example_output):
    names = {p.relative_to(example_output).as_posix() for p in example_output.rglob("*")}
    expected = {"report.html", "tables.docx", "tables.tex", "tables.xlsx", "tables.md",
                "results.json", "study.toml", "demo_panel.csv", MARKER, "figures"}  # fmt: skip
    assert expected <= names
    for key in FIGURE_KEYS:
        assert f"figures/{key}.png" in names and f"figures/{key}.svg" in names
    assert not [p for p in example_output.parent.iterdir() if p.name.startswith(".out.")]


def test_sections_are_in_the_papers_order(page):
    positions = [page.index(f'<section id="{key}">') for key in SECTIONS]
    assert positions == sorted(positions)
    assert "This stage was not run" not in page


def test_the_page_is_self_contained(page):
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == len(FIGURE_KEYS)
    assert all(src.startswith("data:image/png;base64,") for src in images)


def test_every_table_and_figure_caption_is_shown(example_result, page):
    tables = collect_tables(example_result)
    for table in tables.values():
        assert f"<caption>{html.escape(table.title)}</caption>" in page
    for caption in ("Figure 1. Placebo Test", "Figure 2. Event Study", "Figure A1.", "Figure A4."):
        assert caption in page
    assert "Synthetic data — not real statistics" in page


def test_report_numbers_equal_the_results(example_result, example_output, page):
    found = spans(page)
    assert len(found) > 60
    numbers = json.loads((example_output / "results.json").read_text())["numbers"]
    for key, value, shown in found:
        assert numbers[key] == pytest.approx(value, rel=1e-15, abs=0), key
        text = shown.removeprefix("p = ").removeprefix("p < ").rstrip("%").replace(",", "")
        scale = 100 if shown.endswith("%") else 1
        places = len(text.split(".")[1]) if "." in text else 0
        if not shown.startswith("p < "):
            assert abs(float(text) - scale * value) <= 0.51 * 10.0**-places, (key, shown, value)
    res = example_result
    by_key = {k: v for k, v, _ in found}
    main = res.main
    assert by_key["table3.(2).TP.estimate"] == float(main.coef()["TP"])
    assert by_key["table3.(2).TP.se"] == float(main.se()["TP"])
    assert by_key["table3.(2).TP.p"] == float(main.pvalue()["TP"])
    assert by_key["table3.(2).nobs"] == main.nobs
    first = res.baseline.models["Baseline"]
    assert by_key["table3.(1).TP.estimate"] == float(first.coef()["TP"])
    excl = res.baseline.models["Excluding minority areas"]
    assert by_key["table3.(3).TP.estimate"] == float(excl.coef()["TP"])
    assert by_key["placebo.p_ri"] == res.placebo.p_ri_coef
    assert by_key["placebo.mean"] == pytest.approx(res.placebo.draws["coef"].mean(), rel=1e-14)
    assert by_key["event.pretrend_p"] == res.event_study.pretrend_test().p_value
    lnesf = res.panel.data["lnESF"]
    assert by_key["table1.lnESF.mean"] == pytest.approx(lnesf.mean(), rel=1e-14)
    assert by_key["table1.lnESF.sd"] == pytest.approx(lnesf.std(), rel=1e-14)
    assert by_key["data.rows"] == len(res.panel.data)
    assert by_key["matching.sample_rows"] == len(res.sample)
    assert (
        by_key["balance.matched.mean_bias"]
        == res.matching.balance.overall.loc["Matched", "mean_bias"]
    )
    mech = res.mechanisms.mechanism
    assert by_key["table4.RD.TP.estimate"] == float(mech.models["RD"].coef()["TP"])
    mod = res.moderation.results[0].models["interaction"]
    assert by_key["table5.freedom.(2).TP:freedom.estimate"] == float(mod.coef()["TP:freedom"])
    truth = {t.name: t for t in res.true_effects()}
    assert by_key["truth.lnESF.true"] == truth["lnESF"].true == res.panel.demo.true_effects["lnESF"]


def test_headline_reading_says_what_the_table_says(example_result, page):
    b = float(example_result.main.coef()["TP"])
    assert f"the pilot policy raises lnESF by {b:.4f}" in html.unescape(re.sub("<[^>]+>", "", page))


def test_word_excel_and_latex_hold_every_table(example_result, example_output):
    n = len(collect_tables(example_result))
    assert len(Document(str(example_output / "tables.docx")).tables) == n
    sheets = load_workbook(example_output / "tables.xlsx").sheetnames
    assert len(sheets) == n and sheets[:2] == ["Table 1", "Table 2"]
    tex = (example_output / "tables.tex").read_text(encoding="utf-8")
    assert tex.count("\\begin{table}") == n
    assert "\\label{tab:table3}" in tex or "table3" in tex


def test_reproducibility_record(example_result, example_output, page):
    study = example_result.study
    assert study.sha256 in page
    assert (example_output / "study.toml").read_text(encoding="utf-8") == study.text
    assert "placebo" in example_result.seeds() and "demo panel" in example_result.seeds()
    for name in ("numpy", "pandas", "scipy", "matplotlib"):
        assert f"<th>{name}</th>" in page


def test_same_seed_gives_byte_identical_tables(example_result, example_output, tmp_path):
    again = run_study(load_study(example_result.study.path)).write_report(tmp_path / "again")
    for name in (
        "tables.tex",
        "tables.md",
        "results.json",
        "figures/figure1.svg",
        "demo_panel.csv",
    ):
        assert (again / name).read_bytes() == (example_output / name).read_bytes(), name


def test_user_strings_are_escaped_and_chinese_works(project):
    study = load_study(
        project / "study.toml",
        overrides={"study.title": "<script>alert('x')</script> & co", "report.language": "zh",
                   "report.labels.zh": {"y": "<b>产出</b>"}},
    )  # fmt: skip
    out = run_study(study).write_report(project / "out")
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in text
    assert "&lt;b&gt;产出&lt;/b&gt;" in text and "<b>产出</b>" not in text
    assert "表3 PSM-DID估计结果" in text and "数据与样本" in text and 'lang="zh"' in text
    assert not (out / "tables.docx").exists()  # formats = ["html", "md", "tex"]


def test_the_report_opens_with_the_map_of_the_pilot_units(example_result, page):
    first = page.index('<section id="data">')
    assert page.index('<section id="', first + 1) > page.index('<figure id="figure_map">')
    head = page[first : page.index("</figure>", first)]
    assert re.fullmatch(
        r'<section id="data">\n<h2>[^<]+</h2>\n<figure id="figure_map">.*', head, re.S
    )
    assert "Figure 0. Treated and Control Units by Adoption Cohort" in head
    assert next(key for key, _ in example_result.figures()) == "figure_map"
