"""The command-line half of the bad-input matrix: each case is a folder (panel + study file),
one ``pilotdid`` command, and the expected class (see :mod:`tests.bad_input.cases_api`).

- ``error``: exit code 2, no traceback, and stderr holds every ``expect`` substring;
- ``adjusted``: exit code 0 and the output (stdout, stderr and, after ``run``, report.html)
  holds every ``expect`` substring, so a silent change fails;
- ``works``: exit code 0, no traceback; ``expect`` substrings (if any) in the output.

Cases use ``validate`` where it catches the problem (about 1.5 s each) and ``run`` with a small
report (20 placebo draws, Markdown tables, no figures) otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tests.bad_input.data import TREATED, duplicated, with_value

ADOPTION = "{ " + ", ".join(f'"{u}" = {y}' for u, y in TREATED.items()) + " }"

BASE = f"""
[data]
path = "panel.csv"
unit = "city"
time = "year"

[treatment]
adoption = {ADOPTION}

[model]
outcome = "y"
controls = ["x1", "x2"]

[placebo]
draws = 20

[event_study]
window = [-2, 1]

[heterogeneity]
permutations = 20

[report]
output = "out"
formats = ["html", "md"]
figures = []
"""


@dataclass(frozen=True)
class CliCase:
    id: str
    kind: str  # "error" | "adjusted" | "works"
    expect: tuple[str, ...] = ()
    command: str = "validate"
    study: Callable[[str], str] | None = None  # edits the study text
    data: Callable[[pd.DataFrame], pd.DataFrame] | None = None  # edits the panel
    panel_text: str | None = None  # the panel file's raw text instead
    files: dict[str, str | bytes] = field(default_factory=dict)  # extra files (win over study)
    args: tuple[str, ...] = ()  # after the study file
    argv: tuple[str, ...] | None = None  # the whole command line instead
    where: str = ""  # sub-folder holding the panel and the study file
    xfail: str | None = None


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


def add(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def adoption(mapping: dict[int, int]) -> Callable[[str], str]:
    inline = "{ " + ", ".join(f'"{u}" = {y}' for u, y in mapping.items()) + " }"
    return edit(f"adoption = {ADOPTION}", f"adoption = {inline}")


def cohort_column(fill: float | None = None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def apply(df: pd.DataFrame) -> pd.DataFrame:
        cohort = df["cohort"] if fill is None else df["cohort"].fillna(fill)
        return df.drop(columns=["treat", "did"]).assign(adopt=cohort).drop(columns="cohort")

    return apply


USE_COHORT_COLUMN = edit(f"adoption = {ADOPTION}", 'adoption_column = "adopt"')
RUN = "run"
CASES: list[CliCase] = []


def case(id: str, kind: str, *expect: str, **kw: object) -> None:
    CASES.append(CliCase(id, kind, expect, **kw))  # type: ignore[arg-type]


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """The panel as a user has it: no treatment columns (the study adds them)."""
    return df.drop(columns=["cohort", "treat", "did"])


# --- the study file ------------------------------------------------------------------------------
case(
    "study-unknown-key",
    "error",
    "matching.calipr: unknown key",
    "'caliper'",
    study=add("[matching]\ncalipr = 0.1\n"),
)
case(
    "study-wrong-type",
    "error",
    'placebo.draws: must be a positive integer, got "many"',
    study=edit("draws = 20", 'draws = "many"'),
)
case(
    "study-misspelled-section",
    "error",
    "placebos",
    "'placebo'",
    study=edit("[placebo]", "[placebos]"),
)
case(
    "study-bad-enum",
    "error",
    "report.language: must be one of 'en', 'zh'",
    study=edit('output = "out"', 'output = "out"\nlanguage = "fr"'),
)
case("study-not-toml", "error", "is not valid TOML", study=edit("[report]", "[report\n"))
case("study-missing-file", "error", "nope.toml", argv=("validate", "nope.toml"))
case("study-empty-file", "error", "data: required key is missing", study=lambda _: "")
case("study-binary-file", "error", "study.toml", files={"study.toml": b"\xff\xfe\x00garbage"})
case(
    "study-two-treatment-sources",
    "error",
    "adoption_column",
    study=edit(f"adoption = {ADOPTION}", f'adoption = {ADOPTION}\nadoption_column = "cohort"'),
)
case("study-set-not-a-key", "error", "--set needs key=value", args=("--set", "novalue"))
case(
    "study-set-unknown-key",
    "error",
    "placebo.drawz: unknown key",
    args=("--set", "placebo.drawz=5"),
)
case(
    "study-set-bad-value",
    "error",
    "placebo.draws: must be a positive integer",
    args=("--set", "placebo.draws=abc"),
)
case(
    "study-negative-window",
    "error",
    "event_study",
    study=edit("window = [-2, 1]", "window = [2, -2]"),
)
case("cli-no-arguments", "error", "usage", argv=())
case("cli-unknown-command", "error", "invalid choice", argv=("runn", "study.toml"))

# --- the data file -------------------------------------------------------------------------------
case(
    "data-missing-file",
    "error",
    "data.path: file not found",
    "missing.csv",
    study=edit('path = "panel.csv"', 'path = "missing.csv"'),
)
case(
    "data-unsupported-extension",
    "error",
    "'.json'",
    study=edit('path = "panel.csv"', 'path = "panel.json"'),
    files={"panel.json": "{}"},
)
case(
    "data-path-is-a-folder",
    "error",
    "data.path:",
    "is a folder, not a file",
    study=edit('path = "panel.csv"', 'path = "."'),
)
case("data-empty-csv", "error", "panel.csv", "No columns to parse", panel_text="")
case("data-header-only-csv", "error", "empty", panel_text="city,year,y,x1,x2\n")
case(
    "data-repeated-header",
    "error",
    "'x1' in columns",
    "more than once",
    panel_text="city,year,y,x1,x1,x2\n1,2015,1,2,3,4\n",
)
case("data-duplicate-unit-years", "error", "2 duplicate (city, year) key(s)", data=duplicated)
case(
    "data-unknown-outcome",
    "error",
    "model.outcome: column 'why' is not in the data",
    study=edit('outcome = "y"', 'outcome = "why"'),
)
case(
    "data-unknown-control",
    "error",
    "model.controls[1]: column 'x9'",
    "did you mean",
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x9"]'),
)
case(
    "data-unknown-unit",
    "error",
    "data.unit: column 'cty'",
    study=edit('unit = "city"', 'unit = "cty"'),
)
case(
    "data-unknown-filter-column",
    "error",
    "data.filters[0].column",
    study=edit('time = "year"', 'time = "year"\nfilters = [{ column = "yr", min = 2013 }]'),
)
case(
    "data-filter-removes-everything",
    "error",
    "data.filters: together they remove every row",
    study=edit('time = "year"', 'time = "year"\nfilters = [{ column = "year", min = 2030 }]'),
)
case(
    "data-text-in-control",
    "error",
    "'x1' must be numeric",
    "'abc'",
    data=lambda d: with_value(d, "x1", "abc", [3, 4]),
)
case(
    "data-na-text-in-control",
    "adjusted",
    "column 'x1' has 2 missing value(s)",
    data=lambda d: with_value(d, "x1", "n/a", [3, 4]),
)
case(
    "data-text-in-outcome",
    "error",
    "'y'",
    "'missing'",
    data=lambda d: with_value(d, "y", "missing", [3]),
)
case(
    "data-text-in-time",
    "error",
    "'year'",
    "'2015a'",
    data=lambda d: d.assign(year=d["year"].astype(str).where(d.index != 3, "2015a")),
)
case(
    "data-fractional-time",
    "error",
    "'year'",
    "2015.5",
    data=lambda d: d.assign(year=d["year"] + np.where(d.index == 3, 0.5, 0.0)),
)
case(
    "data-missing-outcome",
    "adjusted",
    "missing (in the regression's variables) 3",
    command=RUN,
    data=lambda d: with_value(d, "y", np.nan, [10, 20, 30]),
)
case(
    "data-missing-control",
    "adjusted",
    "missing (in the regression's variables) 2",
    command=RUN,
    data=lambda d: with_value(d, "x2", np.nan, [10, 20]),
)
case(
    "data-missing-unit",
    "error",
    "'city'",
    "missing",
    data=lambda d: with_value(d, "city", np.nan, [10]),
)
case(
    "data-missing-time",
    "error",
    "'year'",
    "missing",
    data=lambda d: with_value(d, "year", np.nan, [10]),
)
for _col in ("y", "x1", "year", "region"):
    case(
        f"data-inf-in-{_col}",
        "error",
        f"'{_col}' holds inf or -inf",
        data=lambda d, c=_col: with_value(d, c, np.inf, [5]),
        study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2"]\ncluster = "region"'),
    )
case("data-unbalanced", "works", "unbalanced", data=lambda d: d.drop(index=[1, 2, 50]))

# --- treatment -----------------------------------------------------------------------------------
case(
    "roster-unit-absent",
    "error",
    "1 roster unit(s) are not in the data",
    "99",
    study=adoption({**TREATED, 99: 2016}),
)
case(
    "roster-unit-absent-noted",
    "adjusted",
    "99",
    study=lambda t: adoption({**TREATED, 99: 2016})(t).replace(
        "[model]", 'absent_units = "note"\n\n[model]'
    ),
)
case(
    "nobody-treated",
    "error",
    "no",
    study=lambda t: adoption({99: 2016})(t).replace("[model]", 'absent_units = "note"\n\n[model]'),
)
case(
    "everybody-treated",
    "error",
    "every city is treated",
    study=adoption({u: 2016 for u in range(1, 41)}),
)
case(
    "adoption-after-sample",
    "error",
    "no post-treatment period",
    study=adoption({1: 2030, 2: 2030, 3: 2031}),
)
case(
    "adoption-at-sample-start",
    "error",
    "no pre-treatment period",
    study=adoption({1: 2012, 2: 2012, 3: 2012}),
)
for _key, _fill in {"nan": None, "0": 0.0, "inf": np.inf}.items():
    case(
        f"cohort-coded-{_key}",
        "works",
        "6 of 40 units treated",
        study=USE_COHORT_COLUMN,
        data=cohort_column(_fill),
    )
case(
    "cohort-with-text",
    "error",
    "'adopt'",
    "'2016年'",
    study=USE_COHORT_COLUMN,
    data=lambda d: cohort_column()(d).assign(
        adopt=lambda x: x["adopt"].astype(object).where(x["city"] != 1, "2016年")
    ),
)
case(
    "roster-file-missing",
    "error",
    "treatment.roster_file",
    "roster.csv",
    study=edit(f"adoption = {ADOPTION}", 'roster_file = "roster.csv"'),
)
case(
    "roster-file-bad-year",
    "error",
    "treatment.roster_file:",
    "'soon'",
    study=edit(f"adoption = {ADOPTION}", 'roster_file = "roster.csv"\nroster_unit = "city"'),
    files={"roster.csv": "city,adoption_year\n1,2015\n2,soon\n"},
)
case(
    "roster-file-duplicate-unit",
    "error",
    "treatment.roster_file:",
    "more than once",
    "1: 2015, 2016",
    study=edit(f"adoption = {ADOPTION}", 'roster_file = "roster.csv"\nroster_unit = "city"'),
    files={"roster.csv": "city,adoption_year\n1,2015\n1,2016\n"},
)

# --- the design ----------------------------------------------------------------------------------
case(
    "collinear-controls",
    "error",
    "model.controls: 'x1', 'x3' are constant or linear combinations",
    command=RUN,
    data=lambda d: d.assign(x3=2 * d["x1"]),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2", "x3"]'),
)
case(
    "absorbed-control",
    "adjusted",
    "Dropped as collinear with the fixed effects: size",
    command=RUN,
    data=lambda d: d.assign(
        size=d["city"].map(dict(enumerate(np.random.default_rng(1).normal(size=41))))
    ),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2", "size"]'),
)
case(
    "constant-mediator",
    "error",
    "mechanisms.mediators[0]",
    "'c' is constant",
    data=lambda d: d.assign(c=1.0),
    study=add('[mechanisms]\nmediators = ["c"]\n'),
)
case(
    "constant-moderator",
    "error",
    "moderation.moderators[0]",
    "'c' is constant",
    data=lambda d: d.assign(c=1.0),
    study=add('[moderation]\nmoderators = ["c"]\n'),
)
case(
    "constant-splitter",
    "error",
    "heterogeneity.split_by[0]",
    "'c' is constant",
    data=lambda d: d.assign(c=1.0),
    study=edit("permutations = 20", 'permutations = 20\nsplit_by = ["c"]'),
)
case(
    "exclusion-removes-all-treated",
    "error",
    "exclusions[0].values",
    "treated units",
    study=add('[[exclusions]]\nname = "no pilots"\ncolumn = "city"\nvalues = [1, 2, 3, 4, 5, 6]\n'),
)
case(
    "huge-draws",
    "error",
    "placebo.draws: 1,000,000,000 placebo draws",
    "GB",
    args=("--set", "placebo.draws=1000000000"),
)
case(
    "huge-permutations",
    "error",
    "heterogeneity.permutations",
    "1,000,000,000",
    "GB",
    study=edit("permutations = 20", 'permutations = 1000000000\nsplit_by = ["x2"]'),
)
case(
    "huge-neighbors",
    "error",
    "matching.neighbors",
    "1,000,000,000",
    "GB",
    args=("--set", "matching.neighbors=1000000000"),
)
case(
    "zero-draws",
    "error",
    "placebo.draws: must be a positive integer",
    args=("--set", "placebo.draws=0"),
)
case(
    "negative-draws",
    "error",
    "placebo.draws: must be a positive integer",
    args=("--set", "placebo.draws=-3"),
)
case(
    "window-wider-than-data",
    "error",
    "event_study.window: [-20, 20] is wider than the data",
    study=edit("window = [-2, 1]", "window = [-20, 20]"),
)
case(
    "caliper-keeps-nobody",
    "error",
    "no treated unit",
    "caliper/bandwidth (1e-12)",
    args=("--set", "matching.caliper=0.000000000001"),
)
case(
    "caliper-keeps-few",
    "adjusted",
    "treated units",
    "caliper",
    command=RUN,
    args=("--set", "matching.caliper=0.003"),
)
case(
    "one-cluster",
    "error",
    "model.cluster: 'one' has a single value (1)",
    data=lambda d: d.assign(one=1),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2"]\ncluster = "one"'),
)

# --- output folders ------------------------------------------------------------------------------
case(
    "output-parent-is-a-file",
    "error",
    "--out",
    "blocker",
    files={"blocker": "a file"},
    command=RUN,
    args=("--out", "blocker/out"),
)
case(
    "output-is-a-file",
    "error",
    "is a file, not a folder",
    files={"blocker": "a file"},
    args=("--out", "blocker"),
)
case(
    "output-unwritable",
    "error",
    "--out",
    "/sys/pilotdid-out",
    command=RUN,
    args=("--out", "/sys/pilotdid-out"),
)
case(
    "output-foreign-folder",
    "error",
    "was not written by pilotdid",
    files={"out/notes.txt": "mine"},
    command=RUN,
)
case(
    "output-relative-to-study-file",
    "works",
    "sub/out",
    where="sub",
    argv=("validate", "sub/study.toml"),
)

# --- column names are names ----------------------------------------------------------------------
INJECTION = "__import__('pathlib').Path('PWNED').touch()"  # evaluated, it would leave a file
NAMES = ["FIN ratio", "x.1", "出口 复杂度", "1st_x", "np.exp(x1)", INJECTION]


def _named(names: list[str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def apply(df: pd.DataFrame) -> pd.DataFrame:
        rng = np.random.default_rng(7)
        extra = {n: df["x2"] + rng.normal(size=len(df)) for n in names}
        return df.assign(**extra)

    return apply


def _controls(names: list[str]) -> Callable[[str], str]:
    listed = ", ".join(_toml(n) for n in ["x1", *names])
    return edit('controls = ["x1", "x2"]', f"controls = [{listed}]")


def _toml(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


for _i, _name in enumerate(NAMES):
    case(f"name-{_i}-validate", "works", "OK", data=_named([_name]), study=_controls([_name]))
case(
    "names-run-every-stage",
    "works",
    "report.html",
    command=RUN,
    data=lambda d: _named(NAMES[:3])(d).rename(
        columns={"y": "出口 复杂度 y", "m": "np.exp(m)", "mod": INJECTION}
    ),
    study=lambda t: (
        _controls(NAMES[:2])(t).replace('outcome = "y"', 'outcome = "出口 复杂度 y"')
        + (
            '[mechanisms]\nmediators = ["np.exp(m)"]\n[moderation]\nmoderators = ['
            + _toml(INJECTION)
            + "]\n"
        )
    ),
)
case(
    "collinear-controls-validate",
    "error",
    "model.controls: 'x1', 'x3'",
    data=lambda d: d.assign(x3=2 * d["x1"]),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2", "x3"]'),
)
case(
    "constant-control",
    "error",
    "model.controls: 'c'",
    data=lambda d: d.assign(c=1.0),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2", "c"]'),
)
case(
    "window-wider-than-data-run",
    "error",
    "event_study.window: [-20, 20] is wider than the data",
    command=RUN,
    study=edit("window = [-2, 1]", "window = [-20, 20]"),
)
case(
    "one-cluster-run",
    "error",
    "model.cluster: 'one' has a single value (1)",
    command=RUN,
    data=lambda d: d.assign(one=1),
    study=edit('controls = ["x1", "x2"]', 'controls = ["x1", "x2"]\ncluster = "one"'),
)
case(
    "init-parent-is-a-file",
    "error",
    "cannot write",
    files={"blocker": "x"},
    argv=("init", "blocker/study.toml"),
)
case("init-exists", "error", "already exists; pass --force", argv=("init", "study.toml"))
case(
    "demo-bad-override",
    "error",
    "report.language: must be one of",
    argv=("demo", "--set", "report.language=fr"),
)
