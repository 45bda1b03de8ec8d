"""The result of :func:`pilotdid.panel.validate.check_panel`: each issue and the whole report.

:class:`PanelIssue` is one problem or note (a check name, a message, the column, counts and
examples); :class:`ValidationReport` holds them all with the panel's shape and fails fast with
:meth:`ValidationReport.raise_if_invalid`.
"""

from __future__ import annotations

import html
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from pilotdid.errors import PanelError

__all__ = ["PanelIssue", "ValidationReport"]


@dataclass(frozen=True)
class PanelIssue:
    """One finding of :func:`check_panel`.

    Attributes
    ----------
    severity : {"problem", "note"}
        ``"problem"`` makes estimation impossible; ``"note"`` is handled downstream.
    check : str
        Machine-readable kind: ``missing_column``, ``same_column``, ``empty``, ``non_numeric``,
        ``non_finite``, ``time_not_integer``, ``duplicate_keys``, ``missing_values``, ``unbalanced``, ``gaps``,
        ``period_holes`` or ``singletons``.
    message : str
        One line saying what, where and how to fix it.
    column : str or None
        The column concerned, if any.
    count : int
        How many columns, keys, rows or units are affected.
    examples : tuple
        A few offending values, keys or units.
    """

    severity: Literal["problem", "note"]
    check: str
    message: str
    column: Hashable | None = None
    count: int = 0
    examples: tuple[Any, ...] = ()

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ValidationReport:
    """The result of :func:`check_panel`.

    Attributes
    ----------
    unit, time : str
        The unit and time column names that were checked.
    n_rows : int
        Number of rows.
    n_units : int
        Number of distinct non-missing units.
    n_periods : int
        Number of distinct non-missing periods.
    periods : tuple or None
        ``(first, last)`` period, ``None`` when the time column is absent or empty.
    balanced : bool
        Every unit is observed exactly once in every period (and no key is missing).
    problems : tuple of PanelIssue
        Errors that make estimation impossible.
    notes : tuple of PanelIssue
        Facts that are handled downstream but worth seeing.
    """

    unit: Hashable
    time: Hashable
    n_rows: int
    n_units: int
    n_periods: int
    periods: tuple[Any, Any] | None
    balanced: bool
    problems: tuple[PanelIssue, ...]
    notes: tuple[PanelIssue, ...]

    @property
    def ok(self) -> bool:
        """``True`` when there is no problem (notes are allowed)."""
        return not self.problems

    def raise_if_invalid(self) -> ValidationReport:
        """Raise :class:`~pilotdid.errors.PanelError` listing every problem, one per line.

        Returns
        -------
        ValidationReport
            ``self``, when there is no problem, so calls can be chained.
        """
        if self.problems:
            lines = "\n".join(f"  - {p.message}" for p in self.problems)
            raise PanelError(f"the panel has {len(self.problems)} problem(s):\n{lines}")
        return self

    def to_frame(self) -> pd.DataFrame:
        """Return one row per finding: severity, check, column, count, examples, message."""
        rows = [
            {
                "severity": i.severity,
                "check": i.check,
                "column": i.column,
                "count": i.count,
                "examples": i.examples,
                "message": i.message,
            }
            for i in (*self.problems, *self.notes)
        ]
        columns = ["severity", "check", "column", "count", "examples", "message"]
        return pd.DataFrame(rows, columns=columns)

    def __str__(self) -> str:
        span = f" ({self.periods[0]}–{self.periods[1]})" if self.periods else ""
        shape = "balanced" if self.balanced else "unbalanced"
        if not self.n_rows:
            shape = "empty"
        lines = [
            f"Panel check: {self.n_rows:,} rows, {self.n_units:,} units, "
            f"{self.n_periods:,} periods{span}, {shape}: "
            + ("OK" if self.ok else f"{len(self.problems)} problem(s)")
        ]
        for title, issues in (("Problems", self.problems), ("Notes", self.notes)):
            if issues:
                lines.append(f"{title} ({len(issues)}):")
                lines.extend(f"  - {i.message}" for i in issues)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"
