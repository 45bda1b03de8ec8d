"""Build and parse fixest-style formulas ``y ~ x1 + x2 | fe1 + fe2``.

Column names are names, never code: :func:`build_formula` quotes every name it is given
(formulaic's backticks, ```FIN ratio```), so a name with spaces, dots, parentheses, Chinese
characters or a leading digit — or one that reads like Python (``np.exp(lnHCL)``) — always means
the column of that name. Only a formula string the user writes is parsed as a formula.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pilotdid.errors import EstimationError

__all__ = [
    "FormulaSpec",
    "Term",
    "build_formula",
    "check_name",
    "cluster_argument",
    "fixef_columns",
    "fixef_parts",
    "fixef_terms",
    "parse_cluster",
    "parse_formula",
    "quote_name",
    "required_columns",
    "split_fixef",
    "split_names",
    "term_name",
]

#: A bare column name in a formula the user writes (dots allowed, as in R).
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
#: A name that needs no quoting for formulaic (and Python) to read it as itself.
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: A backtick-quoted name.
_QUOTED = re.compile(r"^`([^`]+)`$")


@dataclass(frozen=True)
class Term:
    """A formula term written verbatim (a piece of a formula the user wrote, e.g. ``np.log(x)``).

    :func:`build_formula` quotes plain strings as column names and copies ``Term`` as it is.
    """

    text: str


def check_name(name: object, role: str = "column") -> str:
    """Return ``name`` if it can be used as a column name in a formula, else raise.

    Parameters
    ----------
    name : object
        The column name.
    role : str
        What the name is for, for the message (``"fixed effect"``).

    Returns
    -------
    str
        The name.

    Raises
    ------
    EstimationError
        When the name is not a non-empty string or contains a backtick (which cannot be quoted).
    """
    if not isinstance(name, str) or not name.strip():
        raise EstimationError(
            f"{role} name {name!r} must be a non-empty string; rename the column "
            "(e.g. df.columns = df.columns.astype(str))"
        )
    if "`" in name:
        raise EstimationError(
            f"{role} name {name!r} contains a backtick (`), which a formula cannot quote; "
            "rename the column, e.g. df.rename(columns={"
            + repr(name)
            + ": "
            + repr(name.replace("`", "'"))
            + "})"
        )
    return name


def quote_name(name: str, role: str = "column") -> str:
    """Write a column name so that a formula reads it as that name and nothing else.

    Parameters
    ----------
    name : str
        The column name.
    role : str
        What the name is for, for the message.

    Returns
    -------
    str
        ``name`` itself when it is a plain identifier, else ```name``` in backticks.

    Examples
    --------
    >>> quote_name("lnESF"), quote_name("FIN ratio"), quote_name("np.exp(lnHCL)")
    ('lnESF', '`FIN ratio`', '`np.exp(lnHCL)`')
    """
    check_name(name, role)
    if _PLAIN.match(name) and not keyword.iskeyword(name):
        return name
    return f"`{name}`"


def _fixef_text(factor: str | Sequence[str]) -> str:
    parts = [factor] if isinstance(factor, str) else list(factor)
    if not parts:
        raise EstimationError("a fixed effect needs at least one column")
    for part in parts:
        _check_fixef_name(part)
    return "^".join(quote_name(p, "fixed effect") for p in parts)


def _check_fixef_name(name: str) -> None:
    check_name(name, "fixed effect")
    if "^" in name:
        raise EstimationError(
            f"fixed effect column {name!r} contains '^', which joins interacted fixed effects; "
            "rename the column"
        )


def build_formula(
    outcome: str | Term,
    regressors: Sequence[str | Term],
    fixef: Sequence[str | Sequence[str]] = (),
) -> str:
    """Write ``outcome ~ regressors | fixef`` with every column name quoted.

    Parameters
    ----------
    outcome : str or Term
        Outcome column (or a verbatim term from a user's formula).
    regressors : sequence of str or Term
        Regressor columns (or verbatim terms); empty means an intercept only (``1``).
    fixef : sequence of str or sequence of str
        Fixed-effect columns; a tuple of columns is their interaction (``a^b``).

    Returns
    -------
    str
        A formula for :func:`pilotdid.feols`.

    Examples
    --------
    >>> build_formula("y", ["did", "FIN ratio"], ["city", ("province", "year")])
    'y ~ did + `FIN ratio` | city + province^year'
    """
    lhs = outcome.text if isinstance(outcome, Term) else quote_name(outcome, "outcome")
    rhs = [t.text if isinstance(t, Term) else quote_name(t, "regressor") for t in regressors]
    text = f"{lhs} ~ {' + '.join(rhs) or '1'}"
    if fixef:
        text += " | " + " + ".join(_fixef_text(f) for f in fixef)
    return text


def cluster_argument(columns: Sequence[str]) -> dict[str, str]:
    """Return the vcov argument ``{"CRV1": ...}`` clustering by ``columns`` (names quoted).

    Examples
    --------
    >>> cluster_argument(["city", "prov id"])
    {'CRV1': 'city + `prov id`'}
    """
    names = [columns] if isinstance(columns, str) else list(columns)
    return {"CRV1": " + ".join(quote_name(c, "cluster") for c in names)}


def term_name(term: str) -> str | None:
    """Return the column a term names (``x`` or ```x y```), or None for an expression."""
    term = term.strip()
    quoted = _QUOTED.match(term)
    if quoted:
        return quoted.group(1)
    return term if _NAME.match(term) else None


def split_names(text: str) -> tuple[str, ...]:
    """Names from ``"a + b"`` (``+`` outside backticks; ```a b``` is the column ``a b``).

    A piece that is not a quoted name is taken as it is written, spaces inside included:
    ``"FIN ratio"`` is the column ``FIN ratio``.

    Examples
    --------
    >>> split_names("RD + `R+D share` + FIN ratio")
    ('RD', 'R+D share', 'FIN ratio')
    """
    out = []
    for piece in _split_top_level(text, "+"):
        piece = piece.strip()
        if piece:
            quoted = _QUOTED.match(piece)
            out.append(quoted.group(1) if quoted else piece)
    return tuple(out)


def required_columns(expression: str) -> list[str]:
    """Columns a formulaic expression reads (backtick-quoted names kept whole).

    formulaic's own ``required_variables`` splits a quoted name at a dot (```T.P``` gives
    ``T``), so quoted names are swapped for placeholders before asking it.

    Examples
    --------
    >>> required_columns("np.log(`T.P`) + C(`省份`) + x")
    ['T.P', 'x', '省份']
    """
    from formulaic import Formula

    quoted: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        key = f"_pdid_quoted_{len(quoted)}"
        quoted[key] = match.group(1)
        return key

    text = re.sub(r"`([^`]+)`", placeholder, expression)
    return sorted(quoted.get(v, v) for v in Formula(text).required_variables)


def fixef_parts(entry: str) -> tuple[str, ...]:
    """Return the columns of one fixed-effect entry: ``"province^year"`` names two.

    Examples
    --------
    >>> fixef_parts("province ^ year"), fixef_parts("code")
    (('province', 'year'), ('code',))
    """
    return tuple(p.strip() for p in str(entry).split("^"))


def fixef_terms(entries: Sequence[str]) -> list[str | tuple[str, ...]]:
    """Return fixed-effect entries for :func:`build_formula`: ``"a^b"`` becomes ``(a, b)``.

    Examples
    --------
    >>> fixef_terms(["city", "province^year"])
    ['city', ('province', 'year')]
    """
    out: list[str | tuple[str, ...]] = []
    for entry in entries:
        parts = fixef_parts(entry)
        out.append(parts if len(parts) > 1 else parts[0])
    return out


def fixef_columns(entries: Sequence[str]) -> list[str]:
    """Return every column the fixed-effect entries name, each once, in order.

    Examples
    --------
    >>> fixef_columns(["city", "province^year", "year"])
    ['city', 'province', 'year']
    """
    return list(dict.fromkeys(p for entry in entries for p in fixef_parts(entry)))


def split_fixef(text: str) -> tuple[str, ...]:
    """Read fixed effects from ``"unit + year"`` or ``"province^year"`` (names: :func:`split_names`).

    Examples
    --------
    >>> split_fixef("`城市 id` + 省份^year + city id")
    ('城市 id', '省份^year', 'city id')
    """
    out = []
    for piece in _split_top_level(text, "+"):
        parts = [split_names(p) for p in _split_top_level(piece, "^")]
        if any(parts):
            out.append("^".join(n for names in parts for n in names))
    return tuple(out)


@dataclass(frozen=True)
class FormulaSpec:
    """A parsed regression formula.

    Attributes
    ----------
    text : str
        The formula as written.
    lhs : str
        Left-hand side as written (a name, a quoted name or an expression such as ``np.log(y)``).
    rhs : str
        Right-hand side before ``|`` (formulaic syntax; ``"1"`` when there is no regressor).
    fixef : tuple of str
        Fixed-effect factors after ``|`` as plain column names; ``"a^b"`` is the interaction of
        columns ``a`` and ``b``.
    """

    text: str
    lhs: str
    rhs: str
    fixef: tuple[str, ...]

    @property
    def depvar(self) -> str:
        """The outcome: its column name, or the expression as written."""
        return term_name(self.lhs) or self.lhs

    @cached_property
    def rhs_terms(self) -> tuple[str, ...]:
        """Top-level ``+``-separated terms of the right-hand side, as written."""
        return tuple(t.strip() for t in _split_top_level(self.rhs, "+") if t.strip())

    @property
    def rhs_names(self) -> tuple[str | None, ...]:
        """Column name of each right-hand-side term (None for an expression)."""
        return tuple(term_name(t) for t in self.rhs_terms)

    @property
    def simple_rhs(self) -> bool:
        """True when every right-hand-side term is a column name (the fast path)."""
        return all(n is not None for n in self.rhs_names) and self.rhs_terms != ("1",)

    @property
    def simple_lhs(self) -> bool:
        """True when the outcome is a column name (not an expression such as ``np.log(y)``)."""
        return term_name(self.lhs) is not None

    @property
    def outcome_term(self) -> str | Term:
        """The outcome for :func:`build_formula` (a name, or the expression verbatim)."""
        return self.depvar if self.simple_lhs else Term(self.lhs)

    def regressor_terms(self) -> list[str | Term]:
        """Return the right-hand-side terms for :func:`build_formula` (expressions verbatim)."""
        pairs = zip(self.rhs_terms, self.rhs_names, strict=True)
        return [n if n is not None else Term(t) for t, n in pairs]

    @property
    def fixef_parts(self) -> tuple[tuple[str, ...], ...]:
        """Columns of each fixed effect (``a^b`` has two)."""
        return tuple(tuple(f.split("^")) for f in self.fixef)

    @property
    def fixef_columns(self) -> tuple[str, ...]:
        """Data columns the fixed effects need (``a^b`` needs ``a`` and ``b``)."""
        return tuple(dict.fromkeys(p for parts in self.fixef_parts for p in parts))


def _split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses and backtick-quoted names."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for ch in text:
        if ch == "`":
            quoted = not quoted
        elif not quoted:
            depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_cluster(text: str) -> tuple[str, ...] | None:
    """Cluster columns of a vcov string ``"city + year"``; None if it cannot be read.

    Columns are joined by ``+`` (or ``^``); a name holding one of those is written in backticks.
    An unquoted piece is a name as written (``"城市 id"``).

    Examples
    --------
    >>> parse_cluster("city + `prov+id`"), parse_cluster("城市 id")
    (('city', 'prov+id'), ('城市 id',))
    """
    if text.count("`") % 2:
        return None
    names = []
    for piece in _split_top_level(text, "+"):
        for part in _split_top_level(piece, "^"):
            part = part.strip()
            quoted = _QUOTED.match(part)
            if quoted:
                names.append(quoted.group(1))
            elif "`" in part:
                return None
            elif part:
                names.append(part)
    return tuple(names)


def _fixef_factor(text: str, fml: str) -> str:
    """Plain column names of one fixed effect (``a^b``), from its written form."""
    names = []
    for part in _split_top_level(text, "^"):
        name = term_name(part)
        if name is None or "^" in name:
            raise EstimationError(
                f"formula {fml!r}: fixed effects after '|' must be column names joined by '+' "
                "(use 'a^b' for an interaction; quote other names in backticks: `city id`; "
                "a fixed-effect column name cannot contain '^')"
            )
        names.append(name)
    return "^".join(names)


def parse_formula(fml: str) -> FormulaSpec:
    """Parse ``"y ~ x1 + x2 | fe1 + fe2"``.

    Parameters
    ----------
    fml : str
        fixest syntax: outcome, ``~``, regressors (formulaic syntax: interactions ``a:b``,
        ``a*b``, ``C(x)``), then optionally ``|`` and fixed effects joined by ``+``. A column
        name that is not a plain identifier is written in backticks: ```FIN ratio```.

    Returns
    -------
    FormulaSpec
        The parsed pieces.

    Raises
    ------
    EstimationError
        When the formula has no ``~``, more than one ``|``, an unclosed backtick or an empty part.

    Examples
    --------
    >>> spec = parse_formula("lnESF ~ did + lnHCL | city + year")
    >>> spec.depvar, spec.rhs_terms, spec.fixef
    ('lnESF', ('did', 'lnHCL'), ('city', 'year'))
    >>> parse_formula("y ~ `FIN ratio` | `city id`").fixef
    ('city id',)
    """
    if not isinstance(fml, str) or len(_split_top_level(fml, "~")) != 2:
        raise EstimationError(
            f"formula {fml!r} must have exactly one '~', e.g. 'y ~ x1 + x2 | unit + year'"
        )
    if fml.count("`") % 2:
        raise EstimationError(
            f"formula {fml!r} has an unclosed backtick; quote names as `FIN ratio`"
        )
    lhs, right = (part.strip() for part in _split_top_level(fml, "~"))
    pieces = _split_top_level(right, "|")
    if len(pieces) > 2:
        raise EstimationError(f"formula {fml!r} has more than one '|'; write 'y ~ x | fe1 + fe2'")
    rhs = pieces[0].strip()
    if not lhs:
        raise EstimationError(f"formula {fml!r} has no outcome before '~'")
    if not rhs:
        raise EstimationError(f"formula {fml!r} has no regressor after '~' (write '1' for none)")
    fixef: tuple[str, ...] = ()
    if len(pieces) == 2:
        written = [f.strip() for f in _split_top_level(pieces[1], "+")]
        if not all(written):
            raise EstimationError(
                f"formula {fml!r}: fixed effects after '|' must be column names joined by '+' "
                "(use 'a^b' for an interaction)"
            )
        fixef = tuple(_fixef_factor(f, fml) for f in written)
    return FormulaSpec(fml, lhs, rhs, fixef)
