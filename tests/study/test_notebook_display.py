"""Every public result type renders in Jupyter (`_repr_html_`) as well-formed HTML with its numbers.

The public result types are found, not listed: the return types of everything in
``pilotdid.__all__`` and, from there, of every public method and property. A new result type
without ``_repr_html_`` (or without an instance below) fails the test.
"""

from __future__ import annotations

import html.parser
import importlib
import inspect
import pkgutil
import typing

import numpy as np
import pytest

import pilotdid

#: Types reached from the API that are not results, and why.
NOT_RESULTS = {
    "Absorber": "a reusable demeaning tool (make_absorber), not an estimate",
    "Labels": "display names of variables",
    "Study": "the validated study file (an input)",
    "DropRecord": "one row of StudyResult.drops(); shown inside the report",
    "TrueEffect": "one row of StudyResult.true_effects(); shown inside the report",
}


def _namespace() -> dict[str, object]:
    ns: dict[str, object] = {}
    for mod in pkgutil.walk_packages(pilotdid.__path__, "pilotdid."):
        if mod.name.startswith("pilotdid.measures"):
            continue  # optional engines; none of its types is a result of the API below
        module = importlib.import_module(mod.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__.startswith("pilotdid"):
                ns.setdefault(name, obj)
    return ns


def _hints(func, ns) -> object:
    try:
        return typing.get_type_hints(func, localns=ns).get("return")
    except Exception:  # annotations naming third-party types we do not need
        return None


def public_result_types() -> set[type]:
    ns = _namespace()
    seen: set[type] = set()
    todo: list[type] = []

    def add(tp: object) -> None:
        for t in (tp, *typing.get_args(tp)):
            if inspect.isclass(t) and t.__module__.startswith("pilotdid.") and t not in seen:
                if issubclass(t, BaseException | Warning):
                    continue
                seen.add(t)
                todo.append(t)

    for name in pilotdid._EXPORTS:
        obj = getattr(pilotdid, name)
        add(obj) if inspect.isclass(obj) else add(_hints(obj, ns))
    while todo:
        cls = todo.pop()
        for name, member in inspect.getmembers(cls):
            if name.startswith("_"):
                continue
            static = inspect.getattr_static(cls, name, None)
            func = static.fget if isinstance(static, property) else member
            if callable(func):
                add(_hints(func, ns))
    return {t for t in seen if t.__name__ not in NOT_RESULTS}


class _Checker(html.parser.HTMLParser):
    VOID = frozenset({"br", "hr", "img", "meta", "col", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def well_formed_text(markup: str) -> str:
    """Parse the fragment (every tag closed in order); return its visible text."""
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    assert "<script" not in markup.lower()
    return " ".join(checker.text)


def _g(value: float) -> str:
    return f"{value:.4g}"


@pytest.fixture(scope="module")
def instances(example_result, tmp_path_factory):
    """One instance of every result type, with numbers its display must show."""
    r = example_result
    did = r.study.config.treatment.names.did
    match = r.matching.result
    main = r.main
    event = r.event_study
    het = r.mechanisms.heterogeneity[0]
    sens = r.sensitivity
    stag = r.staggered
    panel = r.panel.data
    wild = main.wild_bootstrap(did, B=99, seed=1)
    rng = np.random.default_rng(0)
    cross = __import__("pandas").DataFrame({"x": rng.normal(size=300)})
    cross["d"] = (cross.x + rng.normal(size=300) > 1).astype(int)
    cross["y"] = cross.x + 0.5 * cross.d + rng.normal(size=300)
    effect = pilotdid.match(cross, "d", ["x"], panel="pooled").effect("y")
    treat_df = panel.drop(columns=["TP", "post", "treat"], errors="ignore")
    assigned = pilotdid.assign_treatment(
        treat_df, "adoption_year", unit="code", time="year", overwrite=True
    )
    cfg = r.study.config
    psm = match.did(cfg.model.outcome, did, controls=cfg.model.controls)
    dta = match.to_stata(tmp_path_factory.mktemp("dta") / "m.dta")
    curve = pilotdid.spec_curve(
        panel, cfg.model.outcome, unit="code", time="year", cohort="adoption_year",
        treatment=did, choices={"matching": ["none"], "controls": {"none": [], "all": list(cfg.model.controls)}},
    )  # fmt: skip
    found = [
        (r, [did, _g(main.coef()[did])]),
        (r.tables["table3"], ["Table 3"]),
        (match, [f"{match.counts['n_matched_treated']}"]),
        (r.matching.balance, []),
        (main, [f"{main.coef()[did]:.6g}"]),
        (main.model_summary(), [_g(main.coef()[did])]),
        (event, []),
        (event.dynamic(), []),
        (event.dynamic().pretrend_test(), [_g(event.dynamic().pretrend_test().p_value)]),
        (r.placebo, []),
        (r.mechanisms.mechanism, []),
        (het, []),
        (het.permutation, [f"{het.permutation.p_coef:.3g}"]),
        (r.moderation.results[0], []),
        (r.baseline.exclusions[0], []),
        (sens.honest, []),
        (sens.power, [f"{sens.power.power:.1%}"]),
        (stag.bacon, []),
        (stag.cs, []),
        (stag.cs_simple, []),
        (stag.sa, []),
        (stag.bjs, []),
        (stag.comparison, []),
        (wild, [f"{wild.p_value:.4f}"]),
        (effect, [f"{effect.estimate:.6g}"]),
        (match.propensity, [f"{match.propensity.pseudo_r2:.4f}"]),
        (pilotdid.check_panel(panel, "code", "year"), []),
        (assigned, []),
        (dta, [f"{dta.n_rows:,}"]),
        (psm, ["PSM-DID", f"{psm.with_controls.nobs:,}"]),
        (curve, [f"{len(curve.tidy())}"]),
    ]
    return [(obj, numbers) for obj, numbers in found if obj is not None]


def test_every_result_type_has_an_instance_here(instances):
    missing = {t.__name__ for t in public_result_types()} - {type(o).__name__ for o, _ in instances}
    assert not missing, f"add an instance of {sorted(missing)} to the fixture"


def test_every_public_result_type_has_repr_html():
    lacking = sorted(t.__name__ for t in public_result_types() if not hasattr(t, "_repr_html_"))
    assert not lacking, f"result types without _repr_html_: {lacking}"


def test_repr_html_is_well_formed_with_key_numbers(instances):
    for obj, numbers in instances:
        markup = obj._repr_html_()
        assert isinstance(markup, str) and markup.strip(), type(obj).__name__
        text = well_formed_text(markup)
        assert any(ch.isdigit() for ch in text), type(obj).__name__
        for number in numbers:
            assert number in text, (type(obj).__name__, number)


def test_table_renders_styled():
    body = __import__("pandas").DataFrame({"(1)": ["0.123***"]}, index=["TP"])
    markup = pilotdid.Table(body, title="Table 3").to_html()
    assert "<style>" in markup and 'class="pilotdid-table"' in markup
    assert "0.123***" in well_formed_text(markup)


def test_escapes_names_from_data():
    from pilotdid._text import html_summary

    markup = html_summary("<img src=x onerror=alert(1)>", title="<b>")
    assert "<img" not in markup and "&lt;img" in markup
    assert np.isfinite(len(well_formed_text(markup)))
