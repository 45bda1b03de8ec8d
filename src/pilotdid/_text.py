"""Small text helpers shared by messages and notes."""

from __future__ import annotations

__all__ = ["counted", "html_summary"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return ``n`` with the noun in the right number: ``1 treated unit``, ``3 treated units``.

    Examples
    --------
    >>> counted(1, "treated unit"), counted(1_280, "row"), counted(2, "entry", "entries")
    ('1 treated unit', '1,280 rows', '2 entries')
    """
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"


def html_summary(summary: str, *tables: str, title: str = "") -> str:
    """Return the compact notebook display of a result: its text summary, then HTML tables.

    ``summary`` and ``title`` are escaped; ``tables`` are HTML fragments already (e.g.
    ``DataFrame.to_html()``, which escapes its cells, or a rendered ``Table``).

    Examples
    --------
    >>> html_summary("ATT 0.5 <s.e. 0.1>", title="Result")
    '<div class="pilotdid-result"><p><b>Result</b></p><pre>ATT 0.5 &lt;s.e. 0.1&gt;</pre></div>'
    """
    from html import escape

    head = f"<p><b>{escape(title)}</b></p>" if title else ""
    body = f"<pre>{escape(summary)}</pre>" if summary else ""
    return f'<div class="pilotdid-result">{head}{body}{"".join(tables)}</div>'
