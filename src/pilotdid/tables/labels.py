"""One label dictionary for every table and figure, in English and Chinese.

A :class:`Labels` value maps variable names to display names (one set per language) and knows
the fixed strings of the tables ("Observations" / "观测值", "City FE" / "城市固定效应" ...), which
it takes from the text catalogue (:mod:`pilotdid.tables.strings`, keys ``table.*`` and ``fe.*``).
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
from pilotdid.tables.strings import STRINGS, text

__all__ = ["INTERCEPT_NAMES", "Labels", "Language"]

#: Term names that mean the intercept (pyfixest/formulaic, R, Stata, statsmodels).
INTERCEPT_NAMES = frozenset({"Intercept", "(Intercept)", "_cons", "const"})

_CLUSTER_RE = re.compile(r"^\s*(?:standard errors\s+)?clustered by (.+?)\s*$", re.IGNORECASE)
#: Variance labels with a Chinese name in the catalogue (``vcov.*``), lower case.
_VCOV_KEYS: Mapping[str, str] = {
    "iid": "vcov.iid",
    "hetero": "vcov.hetero",
    "hc1": "vcov.hetero",
    "heteroskedasticity-robust": "vcov.hetero",
    "heteroskedasticity-robust (hc1)": "vcov.hetero",
    "robust": "vcov.hetero",
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
        if f"table.{key}" not in STRINGS:
            raise PilotdidError(f"no fixed table text named {key!r}")
        return text(f"table.{key}", self.language, **fields)

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
        key = f"fe.{name.lower()}"
        return text(key, self.language) if key in STRINGS else name

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
            shown = [self._fixef_base(n) if self.language == "zh" else self.var(n) for n in names]
            joined = text("vcov.cluster_and", self.language).join(shown)
            return text("vcov.clustered", self.language, names=joined)
        if self.language != "zh":
            return label
        key = _VCOV_KEYS.get(label.strip().lower())
        return text(key, self.language) if key is not None else label
