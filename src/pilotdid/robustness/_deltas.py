"""The restriction sets ``Delta = {delta : A delta <= d}`` of Rambachan and Roth (2023).

``delta`` stacks the violations of parallel trends at the ``K`` pre periods and the ``T`` post
periods (the reference period, normalised to zero, is left out). Relative magnitudes
``Delta^RM(Mbar)`` are a union over the location ``s`` and sign of the largest pre-period
first difference; each piece is a polyhedron. Smoothness ``Delta^SD(M)`` bounds every second
difference by ``M``. Sign (``bias_sign``) and monotonicity restrictions add rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["Polyhedron", "rm_pieces", "sd_polyhedron"]


@dataclass(frozen=True)
class Polyhedron:
    """``A delta <= d``."""

    A: np.ndarray
    d: np.ndarray

    def post_rows(self, num_pre: int) -> Polyhedron:
        """Keep the rows that involve a post-period violation (HonestDiD's default)."""
        keep = np.any(self.A[:, num_pre:] != 0, axis=1)
        return Polyhedron(self.A[keep], self.d[keep])


def _drop_ref(mat: np.ndarray, num_pre: int) -> np.ndarray:
    return np.delete(mat, num_pre, axis=1)


def _extra_rows(
    num_pre: int, num_post: int, bias_sign: str | None, monotonicity: str | None
) -> np.ndarray:
    rows = []
    n = num_pre + num_post
    if bias_sign is not None:
        sign = -1.0 if bias_sign == "positive" else 1.0
        block = np.zeros((num_post, n))
        block[:, num_pre:] = sign * np.eye(num_post)
        rows.append(block)
    if monotonicity is not None:
        # first differences of (pre..., 0, post...) must be >= 0 (increasing) or <= 0
        full = np.zeros((n, n + 1))
        for r in range(n):
            full[r, r : r + 2] = (1.0, -1.0)
        block = _drop_ref(full, num_pre)
        rows.append(block if monotonicity == "increasing" else -block)
    return np.vstack(rows) if rows else np.zeros((0, n))


def sd_polyhedron(
    num_pre: int,
    num_post: int,
    M: float,
    *,
    bias_sign: str | None = None,
    monotonicity: str | None = None,
) -> Polyhedron:
    """Return ``Delta^SD(M)``: every second difference of ``(pre, 0, post)`` within ``[-M, M]``.

    Parameters
    ----------
    num_pre, num_post : int
        Number of pre and post periods (the reference period excluded).
    M : float
        Bound on the change in slope between consecutive periods.
    bias_sign : {"positive", "negative"} or None
        Sign restriction on the post-period violations.
    monotonicity : {"increasing", "decreasing"} or None
        Monotone violations.

    Returns
    -------
    Polyhedron
    """
    n = num_pre + num_post
    second = np.zeros((n - 1, n + 1))
    for r in range(n - 1):
        second[r, r : r + 3] = (1.0, -2.0, 1.0)
    core = _drop_ref(second, num_pre)
    extra = _extra_rows(num_pre, num_post, bias_sign, monotonicity)
    A = np.vstack([core, -core, extra])
    d = np.concatenate([np.full(2 * (n - 1), float(M)), np.zeros(len(extra))])
    return Polyhedron(A, d)


def rm_pieces(
    num_pre: int,
    num_post: int,
    Mbar: float,
    *,
    bias_sign: str | None = None,
    monotonicity: str | None = None,
) -> Iterator[Polyhedron]:
    """Yield the polyhedra whose union is ``Delta^RM(Mbar)``.

    Each piece fixes the pre-period first difference ``s`` that attains the maximum and its sign:
    every pre-period first difference is at most ``|diff_s|`` in absolute value and every
    post-period first difference at most ``Mbar |diff_s|``.

    Parameters
    ----------
    num_pre, num_post : int
        Number of pre and post periods (the reference period excluded).
    Mbar : float
        Post-period violations relative to the largest pre-period one.
    bias_sign : {"positive", "negative"} or None
        Sign restriction on the post-period violations.
    monotonicity : {"increasing", "decreasing"} or None
        Monotone violations.

    Yields
    ------
    Polyhedron
    """
    n = num_pre + num_post
    first = np.zeros((n, n + 1))
    for r in range(n):
        first[r, r : r + 2] = (-1.0, 1.0)
    extra = _extra_rows(num_pre, num_post, bias_sign, monotonicity)
    for s in range(-(num_pre - 1), 1):
        for positive in (True, False):
            pick = np.zeros(n + 1)
            pick[num_pre + s - 1 : num_pre + s + 1] = (-1.0, 1.0)
            if not positive:
                pick = -pick
            bound = np.vstack([np.tile(pick, (num_pre, 1)), np.tile(Mbar * pick, (num_post, 1))])
            A = np.vstack([first - bound, -first - bound])
            A = A[np.einsum("ij,ij->i", A, A) > 1e-10]
            core = _drop_ref(A, num_pre)
            yield Polyhedron(np.vstack([core, extra]), np.zeros(len(core) + len(extra)))
