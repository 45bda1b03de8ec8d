"""Plain-language readings of each table and figure, generated from the result objects.

Every number in a reading is a :class:`Value` that keeps the exact number, how it is shown and a
key naming where it comes from (``table3.(2).TP.estimate``). The HTML report wraps each in a
``<span class="num" data-key=... data-value=...>``, so a test can check that every number the
report prints equals the number in the results. Templates exist in English and Chinese (the text
catalogue, ``reading.*`` keys of :mod:`pilotdid.tables.strings`); words
that depend on the numbers (raises/lowers, significant or not) are chosen here, from the numbers.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from pilotdid.tables.cells import auto_decimals
from pilotdid.tables.strings import text

__all__ = ["Reading", "Value", "count", "num", "pct", "pval", "reading", "significance", "word"]


@dataclass(frozen=True)
class Value:
    """One filled-in field of a reading.

    Attributes
    ----------
    value : float, int or str
        The exact number (or a word chosen from the numbers).
    shown : str
        How the report prints it.
    key : str
        Where the number comes from; empty for words.
    """

    value: float | int | str
    shown: str
    key: str = ""


def num(value: float, key: str, digits: int = 3) -> Value:
    """Return a number shown with ``digits`` significant digits (the tables' rule).

    Examples
    --------
    >>> num(0.023312, "table3.TP").shown, num(-577.6, "x").shown
    ('0.0233', '-577.6')
    """
    value = float(value)
    if not math.isfinite(value):
        return Value(value, "n/a", key)
    return Value(value, f"{value:,.{auto_decimals(value, digits)}f}", key)


def pval(value: float, key: str) -> Value:
    """Return a p-value shown as ``p = 0.015`` (three decimals), ``p < 0.001`` below that.

    Examples
    --------
    >>> pval(0.01512, "p").shown, pval(2e-5, "p").shown
    ('p = 0.015', 'p < 0.001')
    """
    value = float(value)
    shown = (
        "p = n/a"
        if not math.isfinite(value)
        else "p < 0.001"
        if value < 0.0005
        else f"p = {value:.3f}"
    )
    return Value(value, shown, key)


def pct(value: float, key: str, decimals: int = 1) -> Value:
    """Return a share shown as a percentage (``0.2873`` → ``28.7%``)."""
    return Value(float(value), f"{100 * float(value):.{decimals}f}%", key)


def count(value: int, key: str) -> Value:
    """Return a count with thousands separators."""
    return Value(int(value), f"{int(value):,}", key)


def word(text: str) -> Value:
    """Return a word or phrase (not a number: no key, no span)."""
    return Value(text, text)


def phrase(key: str, language: str, **fields: Any) -> Value:
    """Return the catalogue's ``word.<key>`` in ``language`` as a :func:`word`."""
    return word(text(f"word.{key}", language, **fields))


def significance(p: float, language: str = "en") -> str:
    """Words for a p-value: "significant at the 5% level" / "在5%的水平上显著"."""
    for level, share in ((0.01, "1%"), (0.05, "5%"), (0.1, "10%")):
        if p < level:
            return text("sig.level", language, share=share)
    return text("sig.none", language)


@dataclass(frozen=True)
class Reading:
    """A paragraph: a template in one language and the values that fill it.

    Examples
    --------
    >>> r = Reading("The policy raises {y} by {b} ({p}).",
    ...             {"y": word("lnESF"), "b": num(0.0233, "b"), "p": pval(0.015, "p")})
    >>> r.text()
    'The policy raises lnESF by 0.0233 (p = 0.015).'
    >>> r.html()
    '<p>The policy raises lnESF by <span class="num" data-key="b" data-value="0.0233">0.0233</span> (<span class="num" data-key="p" data-value="0.015">p = 0.015</span>).</p>'
    """

    template: str
    values: Mapping[str, Value]

    def text(self) -> str:
        """Return the paragraph as plain text."""
        return self.template.format(**{k: v.shown for k, v in self.values.items()})

    def numbers(self) -> dict[str, float | int]:
        """Every number of the paragraph by key (words left out)."""
        return {
            v.key: v.value for v in self.values.values() if v.key and not isinstance(v.value, str)
        }

    def html(self) -> str:
        """Return the paragraph as ``<p>``, numbers wrapped in ``span.num`` with their key and exact value."""
        parts = []
        for literal, field, _, _ in string.Formatter().parse(self.template):
            parts.append(escape(literal))
            if field is None:
                continue
            v = self.values[field]
            if v.key and not isinstance(v.value, str):
                parts.append(
                    f'<span class="num" data-key="{escape(v.key)}" '
                    f'data-value="{v.value!r}">{escape(v.shown)}</span>'
                )
            else:
                parts.append(escape(v.shown))
        return "<p>" + "".join(parts) + "</p>"


def reading(key: str, language: str, **values: Any) -> Reading:
    """Build a :class:`Reading` from the catalogue's template ``reading.<key>`` and its values.

    Examples
    --------
    >>> reading("truth", "en", pairs=word("...")).text()
    'On the synthetic demo panel the true effects are known. ...'
    """
    return Reading(text(f"reading.{key}", language), values)
