"""Every user-facing option as a ``Literal`` alias, validated once at the public boundary.

Keep one section per area; :func:`validate_option` turns a wrong value into a message that lists
the allowed ones.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pilotdid.errors import PilotdidError, did_you_mean

__all__ = [
    "AbsentUnits",
    "AnalysisHow",
    "CaliperScale",
    "CorrMethod",
    "CorrMissing",
    "DataSource",
    "DemeanMethod",
    "DescribeStat",
    "FigureFormat",
    "HalfSplit",
    "HeterogeneityTest",
    "KernelType",
    "Language",
    "LaterZonesYear",
    "MatchBase",
    "MatchDistance",
    "MatchMethod",
    "MatchOrder",
    "MechanismMethod",
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
    "StudyVcov",
    "TableBelow",
    "TableStat",
    "VcovType",
    "validate_option",
]

# --- estimation -------------------------------------------------------------------------------
VcovType = Literal["iid", "hetero", "HC1", "CRV1"]
DemeanMethod = Literal["auto", "dense", "cg"]

# --- robustness -------------------------------------------------------------------------------
PlaceboKind = Literal["units", "timing", "both"]


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
MatchBase = Literal["first", "pre_mean"]  # or a period: the base of base_year matching


# --- panel (treatment assignment) -------------------------------------------------------------
PostCoding = Literal["adoption", "common"]
AbsentUnits = Literal["error", "note"]  # roster units missing from the data


# --- datasets (built-in rosters and demo panel) ---------------------------------------------
RosterDefinition = Literal["provinces", "cities"]
LaterZonesYear = Literal[2017, 2016]
RosterName = Literal["bigdata"]
DataSource = Literal["file", "demo"]


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
ReportFormat = Literal["html", "docx", "tex", "xlsx", "md"]
FigureFormat = Literal["png", "svg", "pdf"]


# --- study file (options only the study file has) ---------------------------------------------
StudyVcov = Literal["cluster", "hetero", "iid"]  # model.vcov: "cluster" = clustered by unit


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
