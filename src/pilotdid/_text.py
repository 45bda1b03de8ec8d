"""Small text helpers shared by messages and notes."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return ``n`` with the noun in the right number: ``1 treated unit``, ``3 treated units``.

    Examples
    --------
    >>> counted(1, "treated unit"), counted(1_280, "row"), counted(2, "entry", "entries")
    ('1 treated unit', '1,280 rows', '2 entries')
    """
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"
