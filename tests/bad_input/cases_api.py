"""The Python-API half of the bad-input matrix: one row per bad input, with its expected class.

Classes:

- ``error``: a :class:`pilotdid.PilotdidError` subclass whose message holds every ``expect``
  substring (the column or key it is about, and the cause);
- ``adjusted``: the call returns and reports the adjustment: ``report(result)`` is the text the
  user sees (notes, drop counts) and holds every ``expect`` substring;
- ``works``: the call returns; ``check(result, tmp_path)`` (when given) verifies the answer is
  the one the clean input gives, so a silent change fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import pilotdid as pdid
from pilotdid.estimation.formula import build_formula
from tests.bad_input.data import TREATED, duplicated, panel, recohort, with_value

FML = "y ~ did + x1 | city + year"
HUGE = 10**9


@dataclass(frozen=True)
class ApiCase:
    id: str
    call: Callable[[Path], Any]
    kind: str  # "error" | "adjusted" | "works"
    expect: tuple[str, ...] = ()
    report: Callable[[Any], str] | None = None
    check: Callable[[Any, Path], None] | None = None
    xfail: str | None = None
    error: type = field(default=pdid.PilotdidError)


CASES: list[ApiCase] = []


def fail(value: object) -> None:
    raise AssertionError(f"silent change: got {value!r}")


def case(id: str, kind: str, *expect: str, **kw: Any) -> Callable[[Callable[[Path], Any]], Any]:
    def add(call: Callable[[Path], Any]) -> Callable[[Path], Any]:
        CASES.append(ApiCase(id, call, kind, expect, **kw))
        return call

    return add


def err(id: str, call: Callable[[Path], Any], *expect: str, **kw: Any) -> None:
    CASES.append(ApiCase(id, call, "error", expect, **kw))


P = panel()


def es(df: pd.DataFrame, **kw: Any) -> Any:
    kw.setdefault("window", (-3, 2))
    return pdid.event_study(df, "y", "city", "year", "cohort", **kw)


def pl(df: pd.DataFrame, fml: str = FML, **kw: Any) -> Any:
    kw.setdefault("draws", 20)
    kw.setdefault("seed", 1)
    return pdid.placebo(df, fml, "city", "year", "cohort", **kw)


def mt(df: pd.DataFrame, covs: list[str] | None = None, **kw: Any) -> Any:
    return pdid.match(df, "treat", covs or ["x1", "x2"], unit="city", time="year", **kw)


def at(df: pd.DataFrame, adoption: Any = None, **kw: Any) -> Any:
    return pdid.assign_treatment(
        df[["city", "year"]], "city", "year", dict(TREATED) if adoption is None else adoption, **kw
    )


def fe(df: pd.DataFrame, fml: str = FML, **kw: Any) -> Any:
    return pdid.feols(fml, df, **kw)


def het(df: pd.DataFrame, by: str = "x2", **kw: Any) -> Any:
    kw.setdefault("permutations", 20)
    return pdid.heterogeneity(df, FML, by, unit="city", time="year", cohort="cohort", **kw)


# --- duplicate unit-years --------------------------------------------------------------------
DUP = duplicated(P)
err("dup-placebo", lambda _: pl(DUP), "placebo: 2 duplicate (city, year) key(s)")
err("dup-event_study", lambda _: es(DUP), "event_study: 2 duplicate (city, year) key(s)")
err("dup-assign_treatment", lambda _: at(DUP), "assign_treatment: 2 duplicate (city, year)")
err("dup-heterogeneity", lambda _: het(DUP), "heterogeneity: 2 duplicate (city, year)")
err("dup-match", lambda _: mt(DUP), "duplicate (city, year)")
err(
    "dup-check_panel",
    lambda _: pdid.check_panel(DUP, "city", "year").raise_if_invalid(),
    "2 duplicate (city, year) key(s)",
)

# --- unknown columns ---------------------------------------------------------------------------
err("unknown-feols", lambda _: fe(P, "y ~ did + x9 | city + year"), "x9")
err(
    "unknown-event_study-outcome",
    lambda _: pdid.event_study(P, "yy", "city", "year", "cohort"),
    "yy",
)
err("unknown-event_study-control", lambda _: es(P, controls=["x9"]), "x9")
err(
    "unknown-placebo-cohort",
    lambda _: pdid.placebo(P, FML, "city", "year", "adopt", draws=5),
    "adopt",
)
err("unknown-match-covariate", lambda _: mt(P, ["x1", "x9"]), "x9")
err("unknown-describe", lambda _: pdid.describe(P, ["y", "x9"]), "x9")
err("unknown-correlation", lambda _: pdid.correlation(P, ["y", "x9"]), "x9")
err(
    "unknown-mechanism",
    lambda _: pdid.mechanism(P, "did", "m9", outcome="y", fe="city + year"),
    "m9",
)
err("unknown-moderation", lambda _: pdid.moderation(P, FML, "did", "mod9"), "mod9")
err("unknown-exclude", lambda _: pdid.exclude(P, "prov", ["A"]), "prov")
err("unknown-heterogeneity", lambda _: het(P, "z9"), "z9")
err(
    "unknown-assign-column",
    lambda _: pdid.assign_treatment(P[["city", "year"]], "city", "year", "adopt_year"),
    "adopt_year",
)
err("unknown-cluster", lambda _: fe(P, vcov={"CRV1": "regio"}), "regio")
err("unknown-weights", lambda _: fe(P, weights="ww"), "ww")

# --- non-numeric data --------------------------------------------------------------------------
STR_X1 = with_value(P, "x1", "n/a", [5, 6])
STR_Y = with_value(P, "y", "missing", [7])
STR_YEAR = P.assign(year=P["year"].astype(str).where(P.index != 3, "2015a"))
STR_COHORT = P.assign(cohort=P["cohort"].astype(object).where(P["city"] != 1, "2015年"))
err("string-control-feols", lambda _: fe(STR_X1), "x1")
err("string-outcome-feols", lambda _: fe(STR_Y), "'y'")
err("string-control-placebo", lambda _: pl(STR_X1), "x1")
err("string-control-event_study", lambda _: es(STR_X1, controls=["x1"]), "x1")
err("string-covariate-match", lambda _: mt(STR_X1), "x1")
err("string-describe", lambda _: pdid.describe(STR_X1, ["x1"]), "x1")
err("string-correlation", lambda _: pdid.correlation(STR_X1, ["y", "x1"]), "x1")
err("string-vif", lambda _: pdid.vif(STR_X1, ["x1", "x2"]), "x1")
err("string-time-event_study", lambda _: es(STR_YEAR), "year")
err("string-time-assign", lambda _: at(STR_YEAR), "year")
err("string-time-placebo", lambda _: pl(STR_YEAR), "year")
err("string-cohort-event_study", lambda _: es(STR_COHORT), "cohort")
err("string-cohort-placebo", lambda _: pl(STR_COHORT), "cohort")
FLOAT_YEAR = P.assign(year=P["year"] + np.where(P.index == 3, 0.5, 0.0))
err("float-time-event_study", lambda _: es(FLOAT_YEAR), "year")
err("float-time-assign", lambda _: at(FLOAT_YEAR), "year")
err("float-time-placebo", lambda _: pl(FLOAT_YEAR), "year")
err("float-cohort-event_study", lambda _: es(P.assign(cohort=P["cohort"] + 0.5)), "cohort")
err(
    "string-check_panel",
    lambda _: pdid.check_panel(STR_X1, "city", "year", numeric=["x1"]).raise_if_invalid(),
    "x1",
)


# --- missing values: dropped, counted and shown ------------------------------------------------
def _dropped(fit: Any) -> str:
    return str(fit.summary())


NA_Y = with_value(P, "y", np.nan, [0, 9, 17])
NA_X1 = with_value(P, "x1", np.nan, [0, 9])
NA_UNIT = with_value(P, "city", np.nan, [0, 9])
NA_YEAR = with_value(P, "year", np.nan, [0, 9])
CASES += [
    ApiCase(
        "missing-outcome-feols", lambda _: fe(NA_Y), "adjusted", ("3 missing",), report=_dropped
    ),
    ApiCase(
        "missing-control-feols", lambda _: fe(NA_X1), "adjusted", ("2 missing",), report=_dropped
    ),
    ApiCase(
        "missing-unit-feols", lambda _: fe(NA_UNIT), "adjusted", ("2 missing",), report=_dropped
    ),
    ApiCase(
        "missing-time-feols", lambda _: fe(NA_YEAR), "adjusted", ("2 missing",), report=_dropped
    ),
    ApiCase(
        "missing-cluster-feols",
        lambda _: fe(with_value(P, "region", np.nan, [0]), vcov={"CRV1": "region"}),
        "adjusted",
        ("1 missing",),
        report=_dropped,
    ),
    ApiCase(
        "missing-outcome-event_study",
        lambda _: es(NA_Y),
        "adjusted",
        ("3 missing",),
        report=lambda r: str(r.fit.summary()),
    ),
    ApiCase(
        "missing-outcome-placebo",
        lambda _: pl(NA_Y),
        "adjusted",
        ("317",),
        report=lambda r: f"{r.nobs}",
    ),
    ApiCase(
        "missing-covariate-match",
        lambda _: mt(NA_X1, panel="pooled"),
        "adjusted",
        ("2",),
        report=lambda r: "\n".join(r.notes),
    ),
    ApiCase(
        "missing-describe",
        lambda _: pdid.describe(NA_Y, ["y"]),
        "adjusted",
        ("317",),
        report=lambda t: t.to_text(),
    ),
    ApiCase(
        "singleton-feols",
        lambda _: fe(P[~((P["city"] == 40) & (P["year"] > 2012))]),
        "adjusted",
        ("1 singleton",),
        report=_dropped,
    ),
]

# --- a treated unit absent from the data -------------------------------------------------------
CASES.append(
    ApiCase(
        "absent-roster-unit-assign",
        lambda _: at(P, {**TREATED, 99: 2016}),
        "adjusted",
        ("1 roster unit not in the data: 99",),
        report=lambda r: str(r.report),
    )
)

# --- no variation in treatment -----------------------------------------------------------------
NOBODY = recohort(P, np.nan)
EVERYBODY = recohort(P, 2016.0)
AFTER = recohort(P, P["cohort"].where(P["cohort"].isna(), 2030.0))
START = recohort(P, P["cohort"].where(P["cohort"].isna(), 2012.0))
CASES.append(
    ApiCase(
        "nobody-treated-feols",
        lambda _: fe(NOBODY),
        "adjusted",
        ("Dropped as collinear: did",),
        report=_dropped,
    )
)
err("nobody-treated-event_study", lambda _: es(NOBODY), "is treated in the sample")
err("nobody-treated-placebo", lambda _: pl(NOBODY), "no treated")
err("nobody-treated-match", lambda _: mt(NOBODY), "treat")
err("nobody-treated-assign", lambda _: at(P, {}), "roster is empty")
err(
    "everybody-treated-event_study",
    lambda _: es(EVERYBODY),
    "every city is treated",
)
err("everybody-treated-placebo", lambda _: pl(EVERYBODY), "every")
err("everybody-treated-match", lambda _: mt(EVERYBODY), "treat")
CASES.append(
    ApiCase(
        "everybody-treated-assign",
        lambda _: at(P, {c: 2016 for c in range(1, 41)}),
        "adjusted",
        ("every unit is treated",),
        report=lambda r: str(r.report),
    )
)
err(
    "adoption-after-sample-event_study",
    lambda _: es(AFTER),
    "no post-treatment period",
)
err(
    "adoption-after-sample-placebo",
    lambda _: pl(AFTER),
    "after the last period (2019), e.g. city 1 at 2030",
)
CASES.append(
    ApiCase(
        "adoption-after-sample-assign",
        lambda _: at(P, {1: 2030, 2: 2030}),
        "adjusted",
        ("adopt after the last sample period 2019",),
        report=lambda r: str(r.report),
    )
)
err(
    "adoption-at-start-event_study",
    lambda _: es(START),
    "no pre-treatment period",
)
err("adoption-at-start-placebo", lambda _: pl(START), "no pre-treatment period", "2012")
CASES.append(
    ApiCase(
        "adoption-at-start-assign",
        lambda _: at(P, {1: 2012, 2: 2012}),
        "adjusted",
        ("always treated: 2 unit(s)",),
        report=lambda r: str(r.report),
    )
)

# --- collinear regressors ----------------------------------------------------------------------
CASES += [
    ApiCase(
        "collinear-controls-feols",
        lambda _: fe(P.assign(x3=2 * P["x1"]), "y ~ did + x1 + x3 | city + year"),
        "adjusted",
        ("x3",),
        report=_dropped,
    ),
    ApiCase(
        "absorbed-control-feols",
        lambda _: fe(P.assign(size=P["city"] * 1.5), "y ~ did + size | city + year"),
        "adjusted",
        ("size",),
        report=_dropped,
    ),
]

# --- ±inf in each kind of column ---------------------------------------------------------------
err("inf-outcome-feols", lambda _: fe(with_value(P, "y", np.inf, [3])), "column 'y' holds inf")
err("inf-control-placebo", lambda _: pl(with_value(P, "x1", -np.inf, [3])), "column 'x1' holds inf")
err(
    "inf-treatment-feols", lambda _: fe(with_value(P, "did", np.inf, [3])), "column 'did' holds inf"
)
err(
    "inf-cluster-feols",
    lambda _: fe(with_value(P, "region", np.inf, [3]), vcov={"CRV1": "region"}),
    "column 'region' holds inf",
)
err(
    "inf-weights-feols",
    lambda _: fe(with_value(P, "w", np.inf, [3]), weights="w"),
    "column 'w' holds inf",
)
err(
    "inf-time-event_study",
    lambda _: es(with_value(P, "year", np.inf, [3])),
    "column 'year' holds inf",
)
err("inf-unit-assign", lambda _: at(with_value(P, "city", np.inf, [3])), "column 'city' holds inf")
err(
    "inf-check_panel",
    lambda _: pdid.check_panel(
        with_value(P, "y", np.inf, [3]), "city", "year", numeric=["y"]
    ).raise_if_invalid(),
    "'y'",
    "inf",
)

# --- empty frames and files --------------------------------------------------------------------
EMPTY = P.iloc[:0]
err("empty-feols", lambda _: fe(EMPTY), "empty")
err("empty-match", lambda _: mt(EMPTY), "empty")
err("empty-event_study", lambda _: es(EMPTY), "empty (0 rows)")
err("empty-placebo", lambda _: pl(EMPTY), "empty (0 rows)")
err("empty-describe", lambda _: pdid.describe(EMPTY, ["y"]), "empty (0 rows)")


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


err("empty-csv", lambda t: pdid.load_panel(_write(t, "p.csv", "")), "p.csv", "No columns to parse")
err(
    "header-only-csv",
    lambda t: pdid.check_panel(
        pdid.load_panel(_write(t, "p.csv", "city,year,y\n")), "city", "year"
    ).raise_if_invalid(),
    "empty",
)
err(
    "repeated-header-csv",
    lambda t: pdid.load_panel(_write(t, "p.csv", "city,year,y,y\n1,2015,1,2\n")),
    "'y' in columns 3, 4",
    "more than once",
)
err("missing-file", lambda t: pdid.load_panel(t / "nope.csv"), "file not found", "nope.csv")
err("unsupported-extension", lambda t: pdid.load_panel(_write(t, "p.json", "{}")), ".json")
err("directory-as-file", lambda t: pdid.load_panel(t), "not a file")
err(
    "unknown-requested-column",
    lambda t: pdid.load_panel(_write(t, "p.csv", "city,year\n1,2\n"), columns=["yy"]),
    "yy",
)
err("binary-garbage-csv", lambda t: pdid.load_panel(_write(t, "p.xlsx", "not excel")), "p.xlsx")

# --- awkward column names work and give the plain-name answer ----------------------------------
NAMES = {
    "space": "FIN ratio",
    "dot": "x.1",
    "chinese": "出口 复杂度",
    "digit-first": "1st_x",
    "np-exp": "np.exp(x1)",
    "injection": "__import__('os').system('echo pwned')",
}
BASE_FIT = fe(P)


def _renamed(name: str) -> pd.DataFrame:
    return P.rename(columns={"x1": name})


BASE_MECHANISM = pdid.mechanism(P, "did", "m", controls=["x1"], fe="city + year").effects


def _es_named(name: str) -> Any:
    data = _renamed(name).rename(columns={"y": name + " y"})
    return pdid.event_study(data, name + " y", "city", "year", "cohort", [name], (-3, 2))


def _same_es(res: Any, _: Path) -> None:
    base = es(P, controls=["x1"]).tidy()
    pd.testing.assert_frame_equal(res.tidy(), base)


def _same_placebo(res: Any, _: Path) -> None:
    if abs(res.estimate["coef"] - BASE_FIT.coef()["did"]) > 1e-10:
        fail(res.estimate)


def _same_mechanism(res: Any, _: Path) -> None:
    if abs(res.effects["a"].iloc[0] - BASE_MECHANISM["a"].iloc[0]) > 1e-10:
        fail(res.effects)


for _key, _name in NAMES.items():
    CASES.append(
        ApiCase(
            f"name-{_key}-placebo",
            lambda _, n=_name: pdid.placebo(
                _renamed(n),
                build_formula("y", ["did", n], ["city", "year"]),
                "city",
                "year",
                "cohort",
                draws=5,
                seed=1,
            ),
            "works",
            check=_same_placebo,
        )
    )
    CASES.append(
        ApiCase(
            f"name-{_key}-mechanism",
            lambda _, n=_name: pdid.mechanism(
                _renamed(n).assign(**{n + " m": P["m"]}),
                "did",
                n + " m",
                controls=[n],
                fe="city + year",
            ),
            "works",
            check=_same_mechanism,
        )
    )
    CASES.append(
        ApiCase(
            f"name-{_key}-event_study", lambda _, n=_name: _es_named(n), "works", check=_same_es
        )
    )

# --- degenerate designs ------------------------------------------------------------------------
err(
    "constant-mediator",
    lambda _: pdid.mechanism(P.assign(m=1.0), "did", "m", fe="city + year"),
    "'m'",
    "constant",
)
err(
    "constant-moderator",
    lambda _: pdid.moderation(P.assign(mod=2.0), FML, "did", "mod"),
    "'mod'",
    "constant",
)
err("constant-splitter", lambda _: het(P.assign(x2=3.0)), "'x2'", "fewer than two groups")
err(
    "exclusion-removes-all-treated",
    lambda _: pdid.exclude(P, "city", list(TREATED), unit="city", treat="treat"),
    "treated",
)

# --- requests too large for memory, and non-positive counts --------------------------------------
err("huge-placebo-draws", lambda _: pl(P, draws=HUGE), "1,000,000,000", "GB")
err("huge-permutations", lambda _: het(P, permutations=HUGE), "1,000,000,000", "GB")
err("huge-neighbours", lambda _: mt(P, k=HUGE), "1,000,000,000", "GB")
err(
    "huge-bootstrap",
    lambda _: pdid.mechanism(
        P, "did", "m", outcome="y", method="three_step", fe="city + year", bootstrap=HUGE
    ),
    "1,000,000,000",
    "GB",
)
err("zero-draws", lambda _: pl(P, draws=0), "draws=0")
err("negative-draws", lambda _: pl(P, draws=-5), "draws=-5")
err("zero-permutations", lambda _: het(P, permutations=0), "permutations")
CASES.append(
    ApiCase(
        "zero-bootstrap-means-none",
        lambda _: pdid.mechanism(
            P, "did", "m", outcome="y", method="three_step", fe="city + year", bootstrap=0
        ),
        "works",
        check=lambda r, _: None if r.bootstrap_draws is None else fail(r),
    )
)
err(
    "negative-bootstrap",
    lambda _: pdid.mechanism(
        P, "did", "m", outcome="y", method="three_step", fe="city + year", bootstrap=-1
    ),
    "bootstrap=-1",
)
err("zero-neighbours", lambda _: mt(P, k=0), "k=0")
err("bool-draws", lambda _: pl(P, draws=True), "draws=True")

# --- windows and calipers ----------------------------------------------------------------------
err("window-wider-than-data", lambda _: es(P, window=(-20, 20)), "wider than the data")
err("window-reversed", lambda _: es(P, window=(2, -3)), "window")
err("window-ref-outside", lambda _: es(P, window=(-3, 2), ref=-5), "ref=-5")
err(
    "caliper-keeps-nobody",
    lambda _: mt(P, caliper=1e-12),
    "no treated unit",
    "caliper/bandwidth (1e-12)",
)
err("caliper-negative", lambda _: mt(P, caliper=-0.1), "caliper")
CASES.append(
    ApiCase(
        "caliper-keeps-few",
        lambda _: mt(
            panel(120).assign(treat=lambda d: (d["city"] <= 24).astype(int)), caliper=0.002
        ),
        "adjusted",
        ("treated units", "matched"),
        report=lambda r: "\n".join(r.notes),
    )
)


# --- output paths ------------------------------------------------------------------------------
def _table() -> Any:
    return pdid.describe(P, ["y", "x1"])


def _save_under_file(tmp: Path) -> Any:
    (tmp / "afile").write_text("x", encoding="utf-8")
    return _table().save(tmp / "afile" / "t.docx")


def _save_unwritable(tmp: Path) -> Any:
    if os.name != "posix" or os.geteuid() == 0:  # root writes through any folder mode
        return _table().save("/sys/t.md")  # sysfs refuses new files, even to root
    locked = tmp / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        return _table().save(locked / "t.md")
    finally:
        locked.chmod(0o700)


err("table-save-parent-is-file", _save_under_file, "afile", "is a file, not a folder")
err("table-save-unwritable", _save_unwritable, "t.md", "permission denied")
err("table-save-bad-suffix", lambda t: _table().save(t / "t.pdf"), "'.pdf'")
err(
    "table-save-missing-folder",
    lambda t: _table().save(t / "a" / "b" / "t.md"),
    "folder",
    "does not exist",
)

# --- cohort coding ------------------------------------------------------------------------------
BASE_ES = es(P)


def _same_event_study(res: Any, _: Path) -> None:
    pd.testing.assert_frame_equal(res.tidy(), BASE_ES.tidy())


for _key, _never in {"0": 0.0, "inf": np.inf, "nan": np.nan}.items():
    CASES.append(
        ApiCase(
            f"cohort-coded-{_key}-event_study",
            lambda _, v=_never: es(P.assign(cohort=P["cohort"].fillna(v))),
            "works",
            check=_same_event_study,
        )
    )
CASES.append(
    ApiCase(
        "cohort-coded-text-empty",
        lambda _: es(
            P.assign(cohort=P["cohort"].map(lambda v: "" if np.isnan(v) else str(int(v))))
        ),
        "works",
        check=_same_event_study,
    )
)
err("cohort-minus-inf", lambda _: es(P.assign(cohort=P["cohort"].fillna(-np.inf))), "-inf")
err(
    "cohort-varies-within-unit", lambda _: es(with_value(P, "cohort", 2018.0, [0])), "varies within"
)

# --- unbalanced panels work --------------------------------------------------------------------
UNBAL = P.drop(index=[1, 2, 50, 51, 52, 200]).reset_index(drop=True)
CASES += [
    ApiCase(
        "unbalanced-feols",
        lambda _: fe(UNBAL),
        "works",
        check=lambda r, _: None if r.nobs == len(UNBAL) else fail(r.nobs),
    ),
    ApiCase("unbalanced-event_study", lambda _: es(UNBAL), "works"),
    ApiCase("unbalanced-placebo", lambda _: pl(UNBAL), "works"),
    ApiCase("unbalanced-match", lambda _: mt(UNBAL), "works"),
]

# --- weights and clusters ----------------------------------------------------------------------
err(
    "weights-negative",
    lambda _: fe(with_value(P, "w", -1.0, [4]), weights="w"),
    "'w' has 1 negative value(s)",
)
err(
    "weights-zero",
    lambda _: fe(with_value(P, "w", 0.0, [4]), weights="w"),
    "'w' has 1 zero value(s)",
)
err(
    "weights-missing",
    lambda _: fe(with_value(P, "w", np.nan, [4]), weights="w"),
    "'w' has 1 missing value(s)",
)
err(
    "weights-text",
    lambda _: fe(with_value(P, "w", "heavy", [4]), weights="w"),
    "'w' is not numeric",
    "'heavy'",
)
err(
    "one-cluster",
    lambda _: fe(P.assign(region=1), vcov={"CRV1": "region"}),
    "'region' has a single level",
)
err("vcov-unknown-kind", lambda _: fe(P, vcov="robust-ish"), "robust-ish")
