"""Fixed-effect encodings: integer codes per factor and recursive singleton removal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FixedEffects", "drop_singletons", "encode_factors"]


@dataclass(frozen=True)
class FixedEffects:
    """Integer-coded fixed effects on one estimation sample.

    Attributes
    ----------
    names : tuple of str
        Factor names as written in the formula (``"city"``, ``"province^year"``).
    codes : tuple of numpy.ndarray
        One ``int64`` array of shape ``(n,)`` per factor with values ``0 .. n_levels - 1``.
    n_levels : tuple of int
        Number of levels of each factor present in the sample.
    """

    names: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    n_levels: tuple[int, ...]

    @property
    def n_obs(self) -> int:
        """Number of observations the codes describe."""
        return int(self.codes[0].shape[0]) if self.codes else 0

    def subset(self, keep: np.ndarray) -> FixedEffects:
        """Restrict to the rows where the boolean mask ``keep`` is true and re-code densely."""
        return FixedEffects(self.names, *_dense(tuple(c[keep] for c in self.codes)))


def _dense(codes: tuple[np.ndarray, ...]) -> tuple[tuple[np.ndarray, ...], tuple[int, ...]]:
    """Re-number codes to ``0 .. levels - 1`` keeping their order (O(n), no sort)."""
    out, levels = [], []
    for c in codes:
        present = np.bincount(c) > 0
        new_code = np.cumsum(present) - 1
        out.append(new_code[c].astype(np.int64, copy=False))
        levels.append(int(present.sum()))
    return tuple(out), tuple(levels)


def encode_factors(frame: pd.DataFrame, names: tuple[str, ...]) -> FixedEffects:
    """Factorize fixed-effect columns; ``a^b`` combines two columns into one factor.

    Parameters
    ----------
    frame : pandas.DataFrame
        Data holding the factor columns (no missing values).
    names : tuple of str
        Factor specifications; ``"province^year"`` is the interaction of two columns.

    Returns
    -------
    FixedEffects
        Dense integer codes per factor.

    Examples
    --------
    >>> import pandas as pd
    >>> fe = encode_factors(pd.DataFrame({"u": ["a", "b", "a"]}), ("u",))
    >>> fe.n_levels
    (2,)
    """
    codes, levels = [], []
    for name in names:
        code, n_levels = _factorize(frame[name.split("^")[0]])
        for part in name.split("^")[1:]:  # interaction: combine, then re-code densely
            other, n_other = _factorize(frame[part])
            code, n_levels = _factorize(pd.Series(code * n_other + other))
        codes.append(code)
        levels.append(n_levels)
    return FixedEffects(tuple(names), tuple(codes), tuple(levels))


def _factorize(values: pd.Series) -> tuple[np.ndarray, int]:
    code, uniques = pd.factorize(values, sort=True)
    return code.astype(np.int64, copy=False), len(uniques)


def drop_singletons(codes: tuple[np.ndarray, ...], keep: np.ndarray | None = None) -> np.ndarray:
    """Recursively flag observations that are alone in a fixed-effect group.

    Removing a singleton can create new ones in another factor, so the check repeats until
    nothing changes (the reghdfe/fixest rule).

    Parameters
    ----------
    codes : tuple of numpy.ndarray
        Integer codes, one array of shape ``(n,)`` per factor.
    keep : numpy.ndarray of bool, optional
        Rows already kept; defaults to all rows.

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        ``True`` for rows that survive singleton removal.
    """
    n = codes[0].shape[0] if codes else 0
    keep = np.ones(n, dtype=bool) if keep is None else keep.copy()
    changed = bool(codes)
    while changed:
        changed = False
        for c in codes:
            counts = np.bincount(c[keep], minlength=int(c.max()) + 1 if n else 0)
            single = keep & (counts[c] == 1)
            if single.any():
                keep &= ~single
                changed = True
    return keep
