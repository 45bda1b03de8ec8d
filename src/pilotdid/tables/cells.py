"""Numeric table cells and the number formatting rule shared by every table.

A :class:`Number` keeps the exact value (so Excel gets the real number and tests can compare it
with the result object) together with how it is shown: decimals, stars, enclosing brackets.
Every renderer formats the value once from the float, so nothing is rounded twice.

The default rule, :func:`auto_decimals`, is outreg2's ``auto(3)`` layout that the paper's tables
use: numbers below 1 in absolute value get 3 significant digits (0.0232, 0.00948, 0.407) and
larger numbers get 3 decimals less one per extra integer digit (9.563, 11.56, 488.0, 1,645).

Examples
--------
>>> from pilotdid.tables.cells import Number, auto_decimals, stars_for
>>> [auto_decimals(x) for x in (0.0232, 0.407, 9.563, 488.0, 1645.0)]
[4, 3, 3, 1, 0]
>>> str(Number(0.02317, auto_decimals(0.02317), stars=stars_for(0.02, (0.1, 0.05, 0.01))))
'0.0232**'
>>> str(Number(0.009481, 5, enclose="()"))
'(0.00948)'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pilotdid.errors import PilotdidError
from pilotdid.tables.strings import text

__all__ = [
    "DEFAULT_STARS",
    "Number",
    "as_number",
    "auto_decimals",
    "cell_text",
    "format_value",
    "stars_for",
    "stars_note",
    "validate_stars",
]

#: Default significance thresholds: * p<0.1, ** p<0.05, *** p<0.01.
DEFAULT_STARS: tuple[float, ...] = (0.1, 0.05, 0.01)

Enclose = Literal["", "()", "[]"]


@dataclass(frozen=True)
class Number:
    """A numeric table cell: the exact value and how to show it.

    Attributes
    ----------
    value : float or int
        The exact number (never rounded); ints stay ints (observation counts).
    decimals : int
        Decimals shown.
    stars : str
        Significance stars appended after the number (``""``, ``"*"``, ...).
    enclose : {"", "()", "[]"}
        Brackets around the number (standard errors go in parentheses).
    thousands : bool
        Whether to group thousands with commas (1,645).
    """

    value: float | int
    decimals: int = 3
    stars: str = ""
    enclose: Enclose = ""
    thousands: bool = True

    def core(self) -> str:
        """Return the number alone, without brackets or stars (``"-0.0819"``)."""
        if isinstance(self.value, float) and not math.isfinite(self.value):
            return ""
        sep = "," if self.thousands else ""
        if isinstance(self.value, int) and self.decimals == 0:
            return f"{self.value:{sep}d}"
        return f"{self.value:{sep}.{self.decimals}f}"

    def __str__(self) -> str:
        core = self.core()
        if not core:
            return ""
        return f"{self.enclose[:1]}{core}{self.enclose[1:]}{self.stars}"

    def excel_format(self) -> str:
        """Return an Excel number format that displays the value exactly as :meth:`__str__` does.

        Brackets and stars become quoted literals, so the cell keeps the real number; the
        second section puts the minus sign inside the brackets as the text renderers do.
        """
        digits = "#,##0" if self.thousands else "0"
        if self.decimals > 0:
            digits += "." + "0" * self.decimals
        opening, closing = self.enclose[:1], self.enclose[1:] + self.stars

        def quoted(text: str) -> str:
            return f'"{text}"' if text else ""

        positive = f"{quoted(opening)}{digits}{quoted(closing)}"
        negative = f"{quoted(opening + '-')}{digits}{quoted(closing)}"
        return f"{positive};{negative}"


def auto_decimals(value: float, digits: int = 3) -> int:
    """Decimals that show ``value`` with ``digits`` significant digits, outreg2 ``auto`` style.

    Below 1 in absolute value: ``digits`` significant digits (0.00945 → 5 decimals). From 1 up:
    ``digits`` decimals less one per integer digit beyond the first, never below 0
    (9.563 → 3, 11.56 → 2, 488.0 → 1, 1,645 → 0). Zero and non-finite values get ``digits``.

    Examples
    --------
    >>> auto_decimals(0.000379), auto_decimals(-5.017), auto_decimals(13.6)
    (6, 3, 2)
    """
    if not math.isfinite(value) or value == 0:
        return digits
    magnitude = math.floor(math.log10(abs(value)))
    decimals = digits - magnitude - 1 if magnitude < 0 else digits - magnitude
    decimals = max(decimals, 0)
    # Rounding can carry into the next power of ten (0.9996 -> 1.000): recount on the rounded value.
    rounded = round(abs(value), decimals)
    if rounded != 0 and math.floor(math.log10(rounded)) != magnitude:
        magnitude = math.floor(math.log10(rounded))
        decimals = max(digits - magnitude - 1 if magnitude < 0 else digits - magnitude, 0)
    return decimals


def format_value(
    value: float | int,
    digits: int = 3,
    decimals: int | None = None,
    *,
    stars: str = "",
    enclose: Enclose = "",
) -> Number:
    """Make a :class:`Number` with the table's rule: fixed ``decimals`` or :func:`auto_decimals`.

    Integers (observation counts) keep 0 decimals.

    Examples
    --------
    >>> str(format_value(1645.2, stars="***")), str(format_value(2963))
    ('1,645***', '2,963')
    """
    if isinstance(value, numbers.Integral):
        return Number(int(value), 0, stars, enclose)
    value = float(value)
    places = decimals if decimals is not None else auto_decimals(value, digits)
    return Number(value, places, stars, enclose)


def validate_stars(stars: Sequence[float] | bool | None) -> tuple[float, ...]:
    """Return significance thresholds sorted from loosest to strictest (``()`` for no stars).

    ``True``/``None`` mean the default (0.1, 0.05, 0.01); ``False`` or ``()`` switch stars off.
    """
    if stars is None or stars is True:
        return DEFAULT_STARS
    if stars is False:
        return ()
    try:
        levels = tuple(sorted((float(s) for s in stars), reverse=True))
    except (TypeError, ValueError):
        raise PilotdidError(
            f"stars={stars!r} must be a sequence of p-value thresholds such as (0.1, 0.05, 0.01)."
        ) from None
    if any(not 0 < s < 1 for s in levels) or len(set(levels)) != len(levels):
        raise PilotdidError(
            f"stars={stars!r} must hold distinct thresholds strictly between 0 and 1."
        )
    return levels


def stars_for(p_value: float, levels: Sequence[float]) -> str:
    """Return one star per threshold (sorted loosest first) that ``p_value`` is below.

    Examples
    --------
    >>> stars_for(0.004, (0.1, 0.05, 0.01)), stars_for(0.07, (0.1, 0.05, 0.01))
    ('***', '*')
    """
    if not math.isfinite(p_value):
        return ""
    return "*" * sum(p_value < level for level in levels)


def stars_note(levels: Sequence[float], language: str = "en") -> str:
    """Return the legend of the stars, strictest first, as journals print it.

    Examples
    --------
    >>> stars_note((0.1, 0.05, 0.01))
    '*** p<0.01, ** p<0.05, * p<0.1'
    >>> stars_note((0.1, 0.05, 0.01), "zh")
    '***、**、*分别表示在1%、5%、10%的水平上显著'
    """
    if not levels:
        return ""
    marks = ["*" * (i + 1) for i in range(len(levels))][::-1]
    strict_first = list(levels)[::-1]
    sep = text("table.list_sep", language)
    return text(
        "table.stars_note",
        language,
        items=", ".join(f"{m} p<{level:g}" for m, level in zip(marks, strict_first, strict=True)),
        marks=sep.join(marks),
        percents=sep.join(f"{level * 100:g}%" for level in strict_first),
    )


def as_number(cell: object) -> Number | None:
    """Return ``cell`` as a :class:`Number` when it is numeric (plain numbers get the default rule).

    Examples
    --------
    >>> as_number(2963), as_number("Yes")
    (Number(value=2963, decimals=0, stars='', enclose='', thousands=True), None)
    """
    if isinstance(cell, Number):
        return cell
    if isinstance(cell, numbers.Real) and not isinstance(cell, bool) and math.isfinite(cell):
        return format_value(int(cell) if isinstance(cell, numbers.Integral) else float(cell))
    return None


def cell_text(cell: object) -> str:
    """Return the display text of any body cell: a :class:`Number`, a string, a plain number or NA."""
    if isinstance(cell, Number):
        return str(cell)
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, numbers.Integral):
        return f"{int(cell):,d}"
    if isinstance(cell, numbers.Real):
        return str(format_value(float(cell))) if math.isfinite(cell) else ""
    try:
        if cell != cell:  # pandas NA / NaT never equal themselves
            return ""
    except (TypeError, ValueError):
        return ""
    return str(cell)
