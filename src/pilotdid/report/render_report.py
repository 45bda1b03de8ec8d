"""The study report as one self-contained HTML page that reads like a paper's results section.

Sections follow the paper: data and sample, Table 1, Table 2, matching and balance, Table 3,
the placebo test (Figure 1), the event study, staggered adoption, the excluded samples, Table 4, Table 5, then (for
the demo) estimated vs true effects and the reproducibility record. Each section starts with a
generated reading (:mod:`pilotdid.report.readings`); figures are inlined as base64 PNG, every
string from the user or the data is escaped, and there is no script, so the page works offline
and prints cleanly.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from pilotdid.report import readings
from pilotdid.report.narrative import Reading
from pilotdid.report.readings_inference import read_inference
from pilotdid.report.readings_sensitivity import read_sensitivity, read_staggered_sensitivity
from pilotdid.report.readings_spec_curve import read_spec_curve
from pilotdid.report.readings_staggered import read_staggered
from pilotdid.tables.render_html import TABLE_CSS, render_html
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from pilotdid.report.source import StudyOutputs as StudyResult
    from pilotdid.tables.table import Table

__all__ = ["PAGE_CSS", "Section", "render_report", "report_sections"]

PAGE_CSS = """\
body{max-width:62rem;margin:2rem auto;padding:0 1.2rem;color:#111;line-height:1.5;
 font-family:"Source Serif Pro","Times New Roman","Noto Serif CJK SC","SimSun",serif}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.4rem;
 border-bottom:1px solid #bbb;padding-bottom:.2rem}
.subtitle{color:#555;margin-top:0}
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:.6rem .9rem;margin:1rem 0}
nav ol{columns:2;font-size:.95rem}
.num{font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
figure{margin:1.4rem auto;text-align:center;break-inside:avoid}
figure img{max-width:100%;height:auto}
figcaption{font-weight:bold;margin-top:.3rem}
.notrun{color:#666;font-style:italic}
ul.notes{font-size:.92rem}
table.meta{border-collapse:collapse;font-size:.9rem;margin:.6rem 0}
table.meta th,table.meta td{border-bottom:1px solid #ddd;padding:.15rem .7rem;text-align:left}
details pre{background:#f6f6f6;padding:.8rem;overflow-x:auto;font-size:.85rem}
code{font-size:.9em}
@media print{body{margin:0;max-width:none}nav{display:none}h2{break-after:avoid}
 .table-wrap,section>p{break-inside:avoid}.banner{border:1px solid #000}}
"""


@dataclass(frozen=True)
class Section:
    """One section of the report: heading, readings, tables, figures, or why it did not run."""

    key: str
    heading: str
    readings: Sequence[Reading] = ()
    tables: Sequence[str] = ()
    figures: Sequence[str] = ()
    not_run: str = ""
    extra_html: str = field(default="", repr=False)
    figures_first: bool = False  # the figures open the section (the map opens the report)


def _why(result: StudyResult, enabled: bool, listed: bool, what: str = "") -> str:
    lang = result.study.config.report.language
    if not enabled:
        return text("not_run", lang, why=text("disabled", lang))
    if not listed:
        return text("not_run", lang, why=text("nothing_listed", lang, what=text(what, lang)))
    return ""


def report_sections(result: StudyResult, messages: Sequence[str] = ()) -> list[Section]:
    """Return the report's sections in the paper's order, with what each shows."""
    cfg = result.study.config
    lang = cfg.report.language

    def h(key: str) -> str:
        return text(key, lang)

    matching = readings.read_matching(result)
    match_effect = readings.read_matching_effect(result)
    placebo = readings.read_placebo(result)
    event = readings.read_event_study(result)
    out = [
        Section("data", h("sec_data"), [readings.read_data(result)], (), ["figure_map"],
                extra_html=_notes_list(result.panel.notes + result.matching.notes, lang),
                figures_first=True),
        Section("table1", h("sec_table1"), [readings.read_table1(result)], ["table1"]),
        Section("table2", h("sec_table2"), [readings.read_table2(result)], ["table2", "vif"]),
        Section("matching", h("sec_matching"), [r for r in (matching, match_effect) if r],
                ["balance", "balance_overall", "matching_effect"],
                ["figure_pscore", "figure_support", "figure_bias"],
                "" if matching else _why(result, False, True)),
        Section("table3", h("sec_table3" if result.matching.result is not None else "sec_table3_did"),
                [readings.read_table3(result), *read_inference(result)], ["table3"]),
        Section("placebo", h("sec_placebo"), [placebo] if placebo else [], (), ["figure1"],
                "" if placebo else _why(result, False, True)),
        Section("event", h("sec_event"), ([event] if event else []) + read_sensitivity(result),
                ["event_table", "sensitivity_table"], ["figure2", "figure_sensitivity"],
                "" if event else _why(result, False, True)),
        Section("staggered", h("sec_staggered"),
                read_staggered(result) + read_staggered_sensitivity(result),
                ["staggered_att", "staggered_dynamic", "bacon", "sensitivity_staggered"],
                ["figure_rollout", "figure_bacon", "figure_staggered",
                 "figure_sensitivity_staggered"],
                _staggered_not_run(result),
                extra_html=_notes_list(result.staggered.notes if result.staggered else (), lang)),
        Section("exclusions", h("sec_exclusions"), readings.read_exclusions(result),
                not_run="" if cfg.exclusions else _why(result, True, False, "what_exclusions")),
        Section("table4", h("sec_table4"), readings.read_mechanisms(result), _keys(result, "table4"),
                extra_html=_notes_list(result.mechanisms.notes if result.mechanisms else (), lang),
                not_run="" if result.mechanisms else _why(
                    result, cfg.mechanisms.enabled or cfg.heterogeneity.enabled,
                    bool(cfg.mechanisms.mediators or cfg.heterogeneity.split_by),
                    "what_mechanisms")),
        Section("table5", h("sec_table5"), readings.read_moderation(result), _keys(result, "table5"),
                _keys(result, "figure_moderation", figures=True),
                not_run="" if result.moderation else _why(
                    result, cfg.moderation.enabled, bool(cfg.moderation.moderators),
                    "what_moderators")),
    ]  # fmt: skip
    if result.spec_curve is not None:  # optional, off by default: no section when not run
        out.append(Section("spec_curve", h("sec_spec_curve"), read_spec_curve(result),
                           ["spec_curve"], ["figure_spec_curve"]))  # fmt: skip
    truth = readings.read_truth(result)
    if truth is not None:
        out.append(Section("truth", h("sec_truth"), [truth], ["truth"]))
    warned = f"<h3>{escape(h('messages'))}</h3>{_notes_list(messages, lang)}" if messages else ""
    out.append(
        Section("repro", h("sec_repro"), tables=["drops"], extra_html=warned + _repro(result))
    )
    return out


def _staggered_not_run(result: StudyResult) -> str:
    """Why the staggered section is empty: disabled, or adoption is not staggered."""
    if result.staggered is not None:
        return ""
    lang = result.study.config.report.language
    if result.study.config.staggered.enabled is False:
        return _why(result, False, True)
    return text("not_run", lang, why=text("not_staggered", lang))


def _keys(result: StudyResult, stem: str, figures: bool = False) -> list[str]:
    """Keys ``stem``, ``stem_2`` ... present among the result's tables (or moderation figures)."""
    if figures:
        n = len(result.moderation.results) if result.moderation is not None else 0
    else:
        n = sum(1 for k in result.tables if k == stem or k.startswith(f"{stem}_"))
    return [stem if i == 0 else f"{stem}_{i + 1}" for i in range(n)]


def _notes_list(notes: Sequence[str], lang: str = "en") -> str:
    if not notes:
        return ""
    if lang == "zh":
        from pilotdid.report.notes_zh import zh_note

        notes = [zh_note(n) for n in notes]
    items = "".join(f"<li>{escape(n)}</li>" for n in dict.fromkeys(notes))
    return f'<ul class="notes">{items}</ul>'


def _meta_table(rows: Mapping[str, object]) -> str:
    body = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in rows.items()
    )
    return f'<table class="meta">{body}</table>'


def _repro(result: StudyResult) -> str:
    lang, study = result.study.config.report.language, result.study
    timings = {k: f"{v:.2f}" for k, v in result.timings.items()}
    peaks = getattr(result, "peak_memory", None) or {}
    timing_title = "timings_memory" if peaks else "timings"
    for k, mib in peaks.items():
        if k in timings:  # NaN: unknown on this platform
            timings[k] += f" · {mib:,.0f}" if mib == mib else " · -"
    return "".join(
        [
            f"<h3>{escape(text('study_file', lang))}</h3>",
            _meta_table(
                {
                    text("study_file", lang): study.path or study.name,
                    text("sha256", lang): study.sha256,
                    text("data_source", lang): result.panel.source,
                }
            ),
            f"<details><summary>{escape(study.name)}</summary><pre>{escape(study.text)}</pre></details>",
            f"<h3>{escape(text('seeds', lang))}</h3>",
            _meta_table(result.seeds()),
            f"<h3>{escape(text('versions', lang))}</h3>",
            _meta_table(result.versions),
            f"<h3>{escape(text(timing_title, lang))}</h3>",
            _meta_table(timings),
        ]
    )


def _caption(key: str, lang: str) -> str:
    """Caption of a figure key; ``figure_moderation_2`` is the second of its kind."""
    stem, _, n = key.rpartition("_")
    if n.isdigit() and stem:
        return f"{text(stem, lang)} ({n})"
    return text(key, lang)


def _figure(key: str, png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{key}"><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _section_html(
    section: Section, tables: Mapping[str, Table], pngs: Mapping[str, bytes], lang: str
) -> str:
    parts = [f'<section id="{section.key}">', f"<h2>{escape(section.heading)}</h2>"]
    if section.not_run:
        parts.append(f'<p class="notrun">{escape(section.not_run)}</p>')
    figures = [_figure(k, pngs[k], _caption(k, lang)) for k in section.figures if k in pngs]
    if section.figures_first:
        parts += figures
    parts += [r.html() for r in section.readings]
    parts.append(section.extra_html)
    if not section.figures_first:
        parts += figures
    for key in section.tables:
        if key in tables:
            parts.append(f'<div class="table-wrap" id="t-{key}">{render_html(tables[key])}</div>')
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def render_report(
    result: StudyResult,
    tables: Mapping[str, Table],
    pngs: Mapping[str, bytes],
    messages: Sequence[str] | None = None,
) -> str:
    """Render the whole report as one HTML document.

    Parameters
    ----------
    result : StudyResult
        The study's results.
    tables : mapping of str to Table
        Every table by key (the result's tables plus the drops and truth tables).
    pngs : mapping of str to bytes
        PNG bytes of each figure by key (inlined as base64).
    messages : sequence of str, optional
        Warnings raised during the run and while drawing the figures (default: the result's).

    Returns
    -------
    str
        A complete UTF-8 HTML document.
    """
    cfg = result.study.config
    lang = cfg.report.language
    sections = report_sections(result, result.messages if messages is None else messages)
    title = escape(cfg.study.title)
    toc = "".join(f'<li><a href="#{s.key}">{escape(s.heading)}</a></li>' for s in sections)
    banner = (
        f'<p class="banner"><strong>{escape(text("synthetic_banner", lang))}</strong></p>'
        if result.panel.demo is not None
        else ""
    )
    body = "\n".join(_section_html(s, tables, pngs, lang) for s in sections)
    subtitle = escape(text("generated", lang, version=result.versions.get("pilotdid", "")))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{PAGE_CSS}{TABLE_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{title}</h1><p class="subtitle">{subtitle}</p>{banner}</header>\n'
        f"<nav><h2>{escape(text('contents', lang))}</h2><ol>{toc}</ol></nav>\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
