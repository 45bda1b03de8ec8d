"""Parse fixest-style formulas ``y ~ x1 + x2 | fe1 + fe2`` into a typed spec."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pilotdid.errors import EstimationError

__all__ = ["FormulaSpec", "parse_formula"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class FormulaSpec:
    """A parsed regression formula.

    Attributes
    ----------
    text : str
        The formula as written.
    depvar : str
        Left-hand side (a column name or a formulaic expression such as ``np.log(y)``).
    rhs : str
        Right-hand side before ``|`` (formulaic syntax; ``"1"`` when there is no regressor).
    fixef : tuple of str
        Fixed-effect factors after ``|``; ``"a^b"`` is the interaction of two columns.
    """

    text: str
    depvar: str
    rhs: str
    fixef: tuple[str, ...]

    @cached_property
    def rhs_terms(self) -> tuple[str, ...]:
        """Top-level ``+``-separated terms of the right-hand side."""
        return tuple(t.strip() for t in _split_top_level(self.rhs, "+") if t.strip())

    @property
    def simple_rhs(self) -> bool:
        """True when every right-hand-side term is a bare column name (the fast path)."""
        return all(_NAME.match(t) for t in self.rhs_terms) and self.rhs_terms != ("1",)

    @property
    def simple_lhs(self) -> bool:
        """True when the outcome is a bare column name (not an expression such as ``np.log(y)``)."""
        return bool(_NAME.match(self.depvar))

    @property
    def fixef_columns(self) -> tuple[str, ...]:
        """Data columns the fixed effects need (``a^b`` needs ``a`` and ``b``)."""
        return tuple(dict.fromkeys(p.strip() for f in self.fixef for p in f.split("^")))


def _split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_formula(fml: str) -> FormulaSpec:
    """Parse ``"y ~ x1 + x2 | fe1 + fe2"``.

    Parameters
    ----------
    fml : str
        fixest syntax: outcome, ``~``, regressors (formulaic syntax: interactions ``a:b``,
        ``a*b``, ``C(x)``), then optionally ``|`` and fixed effects joined by ``+``.

    Returns
    -------
    FormulaSpec
        The parsed pieces.

    Raises
    ------
    EstimationError
        When the formula has no ``~``, more than one ``|`` or an empty part.

    Examples
    --------
    >>> spec = parse_formula("lnESF ~ did + lnHCL | city + year")
    >>> spec.depvar, spec.rhs_terms, spec.fixef
    ('lnESF', ('did', 'lnHCL'), ('city', 'year'))
    """
    if not isinstance(fml, str) or fml.count("~") != 1:
        raise EstimationError(
            f"formula {fml!r} must have exactly one '~', e.g. 'y ~ x1 + x2 | unit + year'"
        )
    lhs, right = (part.strip() for part in fml.split("~"))
    pieces = _split_top_level(right, "|")
    if len(pieces) > 2:
        raise EstimationError(f"formula {fml!r} has more than one '|'; write 'y ~ x | fe1 + fe2'")
    rhs = pieces[0].strip()
    fixef = tuple(f.strip() for f in pieces[1].split("+")) if len(pieces) == 2 else ()
    if not lhs:
        raise EstimationError(f"formula {fml!r} has no outcome before '~'")
    if not rhs:
        raise EstimationError(f"formula {fml!r} has no regressor after '~' (write '1' for none)")
    bad_fe = [f for f in fixef if not f or not all(_NAME.match(p.strip()) for p in f.split("^"))]
    if bad_fe or (len(pieces) == 2 and not fixef):
        raise EstimationError(
            f"formula {fml!r}: fixed effects after '|' must be column names joined by '+' "
            "(use 'a^b' for an interaction)"
        )
    return FormulaSpec(fml, lhs, rhs, fixef)
