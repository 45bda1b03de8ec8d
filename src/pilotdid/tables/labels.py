"""One label dictionary for every table and figure, in English and Chinese.

A :class:`Labels` value maps variable names to display names (one set per language) and knows
the fixed strings of the tables ("Observations" / "观测值", "City FE" / "城市固定效应" ...).
Every table function takes ``labels=`` (a :class:`Labels`, a plain mapping, or ``None``) and
``language=`` and turns them into one :class:`Labels` with :meth:`Labels.coerce`.

Examples
--------
>>> from pilotdid.tables.labels import Labels
>>> lab = Labels(en={"lnESF": "ln ESF"}, zh={"lnESF": "出口技术复杂度"}, language="zh")
>>> lab.var("lnESF"), lab.fixef("city"), lab.text("observations")
('出口技术复杂度', '城市固定效应', '观测值')
>>> lab.with_language("en").term("TP:freedom")
'TP × freedom'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pilotdid.errors import PilotdidError
from pilotdid.options import Language, validate_option

__all__ = ["FIXED_TEXTS", "INTERCEPT_NAMES", "Labels", "Language"]

#: Term names that mean the intercept (pyfixest/formulaic, R, Stata, statsmodels).
INTERCEPT_NAMES = frozenset({"Intercept", "(Intercept)", "_cons", "const"})

#: Fixed strings of the tables, by key: (English, Chinese).
FIXED_TEXTS: Mapping[str, tuple[str, str]] = {
    "variables": ("Variables", "变量"),
    "obs": ("Obs", "观测值"),
    "mean": ("Mean", "均值"),
    "sd": ("Std. Dev.", "标准差"),
    "min": ("Min", "最小值"),
    "max": ("Max", "最大值"),
    "median": ("Median", "中位数"),
    "var": ("Variance", "方差"),
    "observations": ("Observations", "观测值"),
    "r2": ("R-squared", "R²"),
    "r2_within": ("Within R-squared", "组内R²"),
    "adj_r2": ("Adj. R-squared", "调整R²"),
    "n_clusters": ("Clusters", "聚类数"),
    "controls": ("Controls", "控制变量"),
    "yes": ("Yes", "是"),
    "no": ("No", "否"),
    "partial": ("Partial", "部分"),
    "constant": ("Constant", "常数项"),
    "fe": ("{} FE", "{}固定效应"),
    "below_se": ("Standard errors in parentheses", "括号内为标准误"),
    "below_t": ("t-statistics in parentheses", "括号内为t值"),
    "below_p": ("p-values in parentheses", "括号内为p值"),
    "below_ci": ("95% confidence intervals in brackets", "方括号内为95%置信区间"),
    "treated": ("Treated", "处理组"),
    "control": ("Control", "对照组"),
    "full_sample": ("Full sample", "全样本"),
    "difference": ("Difference", "差异"),
    "group_test": ("Difference in means", "均值差异检验"),
    "p_value": ("p-value", "p值"),
    "vif": ("VIF", "VIF"),
    "inv_vif": ("1/VIF", "1/VIF"),
    "mean_vif": ("Mean VIF", "平均VIF"),
    "pearson": ("Pearson", "Pearson"),
    "spearman": ("Spearman", "Spearman"),
    "corr_note": (
        "{method} correlation coefficients; p-values in parentheses",
        "{method}相关系数，括号内为p值",
    ),
    "listwise": ("N = {n} (listwise deletion)", "N = {n}（成列删除）"),
    "corr_note_plain": ("{method} correlation coefficients", "{method}相关系数"),
    "pairwise": ("N = {n} (pairwise deletion)", "N = {n}（成对删除）"),
    "clause_sep": ("; ", "；"),
    "dropped_fe": (
        "Dropped as collinear with the fixed effects: {names}",
        "因与固定效应共线而剔除：{names}",
    ),
    "dropped_other": (
        "Dropped as collinear with other regressors: {names}",
        "因与其他解释变量共线而剔除：{names}",
    ),
    "welch_note": (
        "Difference = {a} − {b}; p-value of Welch's t-test (unequal variances); N = {na} / {nb}",
        "差异 = {a} − {b}；p值来自Welch t检验（不假定方差相等）；N = {na} / {nb}",
    ),
    "vif_note": (
        "VIF_j = 1/(1 − R²_j), R²_j from regressing variable j on the others with a constant",
        "VIF_j = 1/(1 − R²_j)，R²_j为变量j对其余变量（含常数项）回归的拟合优度",
    ),
}

# Built-in display names of common fixed-effect / panel identifiers.
_FE_NAMES: Mapping[str, tuple[str, str]] = {
    "city": ("City", "城市"),
    "year": ("Year", "年份"),
    "province": ("Province", "省份"),
    "prov": ("Province", "省份"),
    "county": ("County", "区县"),
    "region": ("Region", "地区"),
    "firm": ("Firm", "企业"),
    "industry": ("Industry", "行业"),
    "unit": ("Unit", "个体"),
    "id": ("Unit", "个体"),
    "month": ("Month", "月份"),
    "quarter": ("Quarter", "季度"),
    "time": ("Time", "时间"),
    "period": ("Period", "时期"),
}

_CLUSTER_RE = re.compile(r"^\s*(?:standard errors\s+)?clustered by (.+?)\s*$", re.IGNORECASE)
_VCOV_ZH: Mapping[str, str] = {
    "iid": "普通标准误",
    "hetero": "异方差稳健标准误",
    "hc1": "异方差稳健标准误",
    "heteroskedasticity-robust": "异方差稳健标准误",
    "heteroskedasticity-robust (hc1)": "异方差稳健标准误",
    "robust": "异方差稳健标准误",
}


@dataclass(frozen=True)
class Labels:
    """Display names of variables (English and Chinese sets) plus the tables' fixed strings.

    Parameters
    ----------
    en : mapping of str to str
        Variable name → English display name.
    zh : mapping of str to str
        Variable name → Chinese display name. A name missing here falls back to ``en``, then
        to the variable name itself.
    language : {"en", "zh"}
        Language of the fixed strings and of the variable set used.

    Examples
    --------
    >>> Labels(en={"TP": "Treat × Post"}).var("TP")
    'Treat × Post'
    >>> Labels(language="zh").yes_no(True)
    '是'
    """

    en: Mapping[str, str] = field(default_factory=dict)
    zh: Mapping[str, str] = field(default_factory=dict)
    language: Language = "en"

    def __post_init__(self) -> None:
        validate_option(self.language, Language, "language")
        for name, mapping in (("en", self.en), ("zh", self.zh)):
            if not isinstance(mapping, Mapping):
                raise PilotdidError(
                    f"Labels({name}=...) must be a mapping of variable name to display name, "
                    f"got {type(mapping).__name__}."
                )

    @classmethod
    def coerce(cls, labels: Labels | Mapping[str, str] | None, language: str = "en") -> Labels:
        """Turn what a user passed as ``labels=`` into a :class:`Labels` in ``language``.

        A plain mapping is the label set of ``language``; a :class:`Labels` is switched to
        ``language``; ``None`` means variable names as they are.

        Examples
        --------
        >>> Labels.coerce({"lnESF": "出口技术复杂度"}, "zh").var("lnESF")
        '出口技术复杂度'
        """
        lang = validate_option(language, Language, "language")
        if labels is None:
            return cls(language=lang)
        if isinstance(labels, Labels):
            return labels.with_language(lang)
        if isinstance(labels, Mapping):
            return cls(**{lang: dict(labels)}, language=lang)
        raise PilotdidError(
            f"labels= must be a pilotdid.Labels or a mapping of variable name to display name, "
            f"got {type(labels).__name__}."
        )

    def with_language(self, language: str) -> Labels:
        """Return the same labels with the fixed strings in ``language``."""
        return replace(self, language=validate_option(language, Language, "language"))

    def text(self, key: str, **fields: object) -> str:
        """Return fixed string ``key`` in the current language, with ``{fields}`` filled in."""
        try:
            pair = FIXED_TEXTS[key]
        except KeyError:
            raise PilotdidError(f"no fixed table text named {key!r}") from None
        template = pair[1] if self.language == "zh" else pair[0]
        return template.format(**fields) if fields else template

    def var(self, name: str) -> str:
        """Return the display name of variable ``name`` (falls back to the name itself)."""
        name = str(name)
        if self.language == "zh" and name in self.zh:
            return self.zh[name]
        if name in self.en:
            return self.en[name]
        return name

    def term(self, name: str) -> str:
        """Return the display name of a regression term.

        The intercept becomes "Constant"/"常数项" and an interaction ``a:b`` becomes
        ``"A × B"`` from the labels of its parts, unless the whole term has its own label.
        """
        name = str(name)
        if name in INTERCEPT_NAMES:
            return self.text("constant")
        own = self.var(name)
        if own != name or ":" not in name:
            return own
        return " × ".join(self.var(part) for part in name.split(":"))

    def fixef(self, name: str) -> str:
        """Return the row label of a fixed effect: ``"City FE"`` / ``"城市固定效应"``.

        An interacted fixed effect ``city^year`` becomes ``"City × Year FE"``.
        """
        parts = [self._fixef_base(p) for p in str(name).split("^")]
        return self.text("fe").format(" × ".join(parts))

    def _fixef_base(self, name: str) -> str:
        own = self.var(name)
        if own != name:
            return own
        builtin = _FE_NAMES.get(name.lower())
        if builtin is not None:
            return builtin[1] if self.language == "zh" else builtin[0]
        return name

    def yes_no(self, flag: bool) -> str:
        """Return "Yes"/"No" (or 是/否)."""
        return self.text("yes" if flag else "no")

    def vcov(self, label: str) -> str:
        """Return a model's variance label in the current language ("clustered by city").

        Cluster variables are shown by their labels (``code`` labelled "City" gives
        "clustered by City"; in Chinese "聚类到城市层面的稳健标准误").
        """
        match = _CLUSTER_RE.match(label) if label else None
        if match:
            names = [p.strip() for p in re.split(r"\s*(?:\+|\band\b|,)\s*", match[1]) if p.strip()]
            if self.language == "zh":
                return f"聚类到{'和'.join(self._fixef_base(n) for n in names)}层面的稳健标准误"
            return "clustered by " + " and ".join(self.var(n) for n in names)
        if self.language != "zh":
            return label
        return _VCOV_ZH.get(label.strip().lower(), label)
