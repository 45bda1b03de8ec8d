"""Every user-facing option as a ``Literal`` alias, validated once at the public boundary.

Keep one section per area; :func:`validate_option` turns a wrong value into a message that lists
the allowed ones.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, Literal, ParamSpec, TypeVar, cast, get_args

from pilotdid.errors import PilotdidError, did_you_mean

__all__ = [
    "AbsentUnits",
    "AnalysisHow",
    "BiasSign",
    "BootstrapWeights",
    "CaliperScale",
    "ControlCohort",
    "CorrMethod",
    "CorrMissing",
    "CsAggregation",
    "CsBasePeriod",
    "CsControlGroup",
    "CsMethod",
    "DataSource",
    "DemeanMethod",
    "DescribeStat",
    "FigureFormat",
    "HalfSplit",
    "HeterogeneityTest",
    "HonestMethod",
    "HonestRestriction",
    "HonestTarget",
    "KernelType",
    "Language",
    "LaterZonesYear",
    "MatchBase",
    "MatchDistance",
    "MatchMethod",
    "MatchOrder",
    "MeasureEngine",
    "MechanismMethod",
    "Monotonicity",
    "PanelMode",
    "PermutationStrata",
    "PlaceboKind",
    "PostCoding",
    "ReportFormat",
    "RosterDefinition",
    "RosterName",
    "ScoreModel",
    "SplitMeasured",
    "SplitRule",
    "StaggeredAuto",
    "StaggeredEstimator",
    "StudyMatchSE",
    "StudyVcov",
    "TableBelow",
    "TableStat",
    "VcovType",
    "WildWeights",
    "deprecated_arguments",
    "validate_option",
]

# --- estimation -------------------------------------------------------------------------------
VcovType = Literal["iid", "hetero", "HC1", "CRV1"]
DemeanMethod = Literal["auto", "dense", "cg"]
WildWeights = Literal["rademacher", "webb", "mammen", "norm"]  # wild cluster bootstrap weights

# --- did: Callaway-Sant'Anna (att_gt) -----------------------------------------------------------
CsControlGroup = Literal["never", "notyet"]
CsMethod = Literal["dr", "ipw", "reg"]
CsBasePeriod = Literal["varying", "universal"]
CsAggregation = Literal["simple", "group", "calendar", "dynamic"]
BootstrapWeights = Literal["mammen", "rademacher"]
# --- did (staggered estimators) ---------------------------------------------------------------
ControlCohort = Literal["never", "last"]  # Sun-Abraham: never-treated or last-treated controls
StaggeredEstimator = Literal["cs", "sa", "bjs"]  # study file: Callaway-Sant'Anna, Sun-Abraham, BJS
StaggeredAuto = Literal["auto"]  # study file: staggered.enabled = "auto" (on when staggered)

# --- robustness -------------------------------------------------------------------------------
PlaceboKind = Literal["units", "timing", "both"]
HonestRestriction = Literal["relative_magnitude", "smoothness"]
HonestMethod = Literal["C-LF", "FLCI", "Conditional", "C-F"]
HonestTarget = Literal["average", "first"]
BiasSign = Literal["positive", "negative"]
Monotonicity = Literal["increasing", "decreasing"]


# --- mechanisms (mediation, heterogeneity, moderation) ----------------------------------------
MechanismMethod = Literal["d_to_m", "three_step"]
HalfSplit = Literal["median", "mean"]  # the two-group splits (the study file's heterogeneity.rule)
SplitRule = Literal[HalfSplit, "column"]
SplitMeasured = Literal["pre", "contemporaneous"]
HeterogeneityTest = Literal["both", "pooled", "permutation", "none"]
PermutationStrata = Literal["cohort", "none"]


# --- matching ---------------------------------------------------------------------------------
ScoreModel = Literal["logit", "probit"]
MatchMethod = Literal["nearest", "radius", "kernel"]
MatchDistance = Literal["pscore", "mahalanobis"]
MatchOrder = Literal["data", "random", "largest", "smallest"]
CaliperScale = Literal["score", "sd"]
KernelType = Literal["epan", "normal", "biweight", "uniform", "tricube"]
PanelMode = Literal["base_year", "by_year", "pooled"]
AnalysisHow = Literal["matched", "support", "weights"]
# specification curve: the built-in matchings and the estimators
SpecMatching = Literal["none", "nearest", "nearest_k4", "caliper", "radius", "kernel"]
SpecEstimator = Literal["twfe", "sa", "bjs", "cs"]
MatchBase = Literal["first", "pre_mean"]  # or a period: the base of base_year matching


# --- panel (treatment assignment) -------------------------------------------------------------
PostCoding = Literal["adoption", "common"]
AbsentUnits = Literal["error", "note"]  # roster units missing from the data


# --- datasets (built-in rosters and demo panel) ---------------------------------------------
RosterDefinition = Literal["provinces", "cities"]
LaterZonesYear = Literal[2017, 2016]
RosterName = Literal["bigdata"]
DataSource = Literal["file", "demo"]


# --- measures (export sophistication from trade records) -------------------------------------
MeasureEngine = Literal["duckdb", "spark"]


# --- report (tables) and describe --------------------------------------------------------------
Language = Literal["en", "zh"]
TableBelow = Literal["se", "t", "p", "ci", "none"]
TableStat = Literal["nobs", "r2", "r2_within", "adj_r2", "n_clusters"]
DescribeStat = Literal[
    "count", "mean", "std", "min", "max", "median", "var", "p1", "p5", "p10", "p25", "p50", "p75",
    "p90", "p95", "p99",
]  # fmt: skip
CorrMethod = Literal["pearson", "spearman"]
CorrMissing = Literal["listwise", "pairwise"]
ReportFormat = Literal["html", "docx", "tex", "xlsx", "md", "dta"]
FigureFormat = Literal["png", "svg", "pdf"]


# --- study file (options only the study file has) ---------------------------------------------
StudyVcov = Literal["cluster", "hetero", "iid"]  # model.vcov: "cluster" = clustered by unit
# matching.se: the SE of the matching ATT
StudyMatchSE = Literal["ai", "ai_pscore", "standard", "bootstrap"]


def validate_option(
    value: Any,
    allowed: Any,
    name: str,
    error: type[PilotdidError] = PilotdidError,
) -> Any:
    """Check that ``value`` is one of the values of a ``Literal`` alias (or an iterable of values).

    Parameters
    ----------
    value : Any
        The value the user passed.
    allowed : Literal alias or iterable
        The allowed values, e.g. ``VcovType``.
    name : str
        The argument name used in the message, e.g. ``"vcov"``.
    error : type of PilotdidError
        The exception class to raise.

    Returns
    -------
    Any
        ``value`` unchanged when it is allowed.

    Raises
    ------
    PilotdidError
        When ``value`` is not allowed; the message lists the allowed values.

    Examples
    --------
    >>> validate_option("iid", VcovType, "vcov")
    'iid'
    """
    choices = get_args(allowed) or tuple(allowed)
    if value in choices:
        return value
    hint = did_you_mean(str(value), [str(c) for c in choices])
    listed = ", ".join(repr(c) for c in choices)
    raise error(f"{name}={value!r} is not allowed{hint}; choose one of {listed}.")


# --- the public API's argument names (see "Public API conventions" in ARCHITECTURE.md) ---------

_P = ParamSpec("_P")
_R = TypeVar("_R")


def deprecated_arguments(
    old_order: tuple[str, ...] = (), **renamed: str
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Keep old calls of a public function working, with a :class:`DeprecationWarning`.

    Parameters
    ----------
    old_order : tuple of str, optional
        The function's former positional parameters, in their former order and under their
        current names. A call with more positional arguments than the function now takes is
        bound by this order (the extra arguments become keywords) and warned about.
    **renamed : str
        ``old_name="new_name"``: the former keyword is accepted for the new one and warned about.

    Returns
    -------
    callable
        A decorator; the decorated function keeps its signature (``inspect.signature`` shows the
        current parameters only).

    Examples
    --------
    >>> @deprecated_arguments(("a", "b"), old="b")
    ... def f(a, *, b=1):
    ...     return a + b
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(1, 2), f(1, old=3)
    (3, 4)
    >>> [str(w.message) for w in caught]  # doctest: +NORMALIZE_WHITESPACE
    ['f(): passing b by position is deprecated; pass b=... as a keyword',
     'f(): the keyword old= is deprecated; use b= instead']
    """

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        positional = [
            p.name
            for p in inspect.signature(func).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        name = func.__name__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > len(positional) and old_order:
                args, kwargs = _rebind(name, old_order, positional, args, kwargs)
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{name}() got both {old}= and {new}=; pass only {new}=")
                    warnings.warn(
                        f"{name}(): the keyword {old}= is deprecated; use {new}= instead",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return cast("Callable[_P, _R]", wrapper)

    return decorate


def _rebind(
    name: str,
    old_order: tuple[str, ...],
    positional: list[str],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Bind ``args`` by the former positional order; return the call in the current form."""
    if len(args) > len(old_order):
        raise TypeError(
            f"{name}() takes at most {len(old_order)} positional arguments "
            f"({len(args)} given); pass the options as keywords"
        )
    bound = dict(zip(old_order, args, strict=False))
    twice = sorted(bound.keys() & kwargs.keys())
    if twice:
        raise TypeError(f"{name}() got multiple values for argument {twice[0]!r}")
    keep = 0  # leading arguments still in their place stay positional
    while keep < len(positional) and keep < len(args) and old_order[keep] == positional[keep]:
        keep += 1
    moved = [key for key in old_order[: len(args)] if key not in positional[:keep]]
    warnings.warn(
        f"{name}(): passing {', '.join(moved)} by position is deprecated; pass "
        + ", ".join(f"{key}=..." for key in moved)
        + (" as keywords" if len(moved) > 1 else " as a keyword"),
        DeprecationWarning,
        stacklevel=3,
    )
    kwargs = {**kwargs, **{key: bound[key] for key in moved}}
    return args[:keep], kwargs
