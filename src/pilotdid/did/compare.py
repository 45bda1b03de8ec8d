"""Dynamic estimators side by side: one figure with all of them, one table, one long frame.

Any estimator whose result has ``.dynamic()`` returning a
:class:`~pilotdid.did.dynamic.DynamicEffects` (TWFE event study, Callaway–Sant'Anna's dynamic
aggregation, Sun–Abraham, imputation) can be compared; so can ``DynamicEffects`` themselves.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pilotdid.did.dynamic import DynamicEffects, period_label
from pilotdid.errors import PilotdidError
from pilotdid.estimation.summary import ModelSummary
from pilotdid.tables.strings import text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.figure import Figure

    from pilotdid.tables.table import Table

__all__ = ["DynamicComparison", "compare_dynamic", "period_label"]


def _p_values(effects: DynamicEffects) -> tuple[np.ndarray, np.ndarray, float]:
    """Return t statistics, two-sided p-values and the 97.5 % quantile of the estimator's t."""
    from scipy import stats

    se = effects.se
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, effects.estimates / se, np.nan)
    return t, 2 * stats.t.sf(np.abs(t), effects.df), float(stats.t.ppf(0.975, effects.df))


@dataclass(frozen=True, eq=False)
class DynamicComparison:
    """Several dynamic estimators, to be drawn and tabulated together.

    Attributes
    ----------
    effects : tuple of DynamicEffects
        One per estimator, in the order given.
    names : tuple of str
        Column and legend names (unique).
    level : float
        Default confidence level of the intervals.
    """

    effects: tuple[DynamicEffects, ...]
    names: tuple[str, ...]
    level: float = 0.95

    def tidy(self, level: float | None = None) -> pd.DataFrame:
        """All estimates in long format, one row per estimator and relative period.

        Parameters
        ----------
        level : float, optional
            Confidence level of ``conf_low`` / ``conf_high``; default :attr:`level`.

        Returns
        -------
        pandas.DataFrame
            Columns estimator, rel_time, estimate, std_error, conf_low, conf_high, is_ref (the
            reference period of an estimator that has one, as a zero row).
        """
        lvl = self.level if level is None else level
        frames = []
        for name, effects in zip(self.names, self.effects, strict=True):
            frame = effects.tidy(lvl).reset_index()
            frame["estimator"] = name
            frames.append(frame)
        columns = ["estimator", "rel_time", "estimate", "std_error", "conf_low", "conf_high"]
        out = pd.concat(frames, ignore_index=True)[[*columns, "is_ref"]]
        out["rel_time"] = out["rel_time"].astype(int)
        return out

    def model_summaries(self) -> dict[str, ModelSummary]:
        """Each estimator as a table column: terms ``t-2``, ``t=0`` ..., reference left out."""
        out = {}
        for name, effects in zip(self.names, self.effects, strict=True):
            t, p, q = _p_values(effects)
            se = effects.se
            coefs = pd.DataFrame(
                {
                    "estimate": effects.estimates, "std_error": se, "statistic": t,
                    "p_value": p, "conf_low": effects.estimates - q * se,
                    "conf_high": effects.estimates + q * se,
                },
                index=[period_label(int(k)) for k in effects.periods],
            )  # fmt: skip
            out[name] = ModelSummary(coefs, depvar="", title=name)
        return out

    def table(
        self,
        *,
        language: str = "en",
        stars: Sequence[float] | bool | None = None,
        digits: int = 3,
        decimals: int | None = None,
        title: str = "",
    ) -> Table:
        """Estimates side by side: rows are relative periods, one column per estimator.

        Parameters
        ----------
        language : {"en", "zh"}
            Language of the fixed strings.
        stars : sequence of float or bool, optional
            Significance thresholds (default 0.1, 0.05, 0.01; p-values from each estimator's
            t or normal distribution); ``False`` for none.
        digits, decimals : int
            Number format, as in :func:`pilotdid.etable`.
        title : str
            Table caption.

        Returns
        -------
        Table
            Estimate with stars, standard error beneath; a note names each estimator's
            reference period.
        """
        from pilotdid.tables.etable import etable

        periods = sorted({int(k) for e in self.effects for k in e.periods})
        listed = text("table.list_sep", language).join(
            f"{period_label(e.ref) if e.ref is not None else text('table.dynamic.no_ref', language)}"
            f" ({name})"
            for name, e in zip(self.names, self.effects, strict=True)
        )
        table = etable(
            self.model_summaries(), order=[period_label(k) for k in periods], language=language,
            stars=stars, digits=digits, decimals=decimals, title=title, depvar=False, stats=(),
            fixef=False, notes=[text("table.dynamic.ref", language, listed=listed)],
        )  # fmt: skip
        return replace(table, stub_header=text("table.dynamic.stub", language))

    def figure(self, *, level: float | None = None, language: str = "en") -> Figure:
        """Every estimator on the same axes, points dodged horizontally, intervals as bars.

        Parameters
        ----------
        level : float, optional
            Confidence level; default :attr:`level`.
        language : {"en", "zh"}
            Label language.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure (not shown) with lines at zero and at the reference period.
        """
        from pilotdid.did.staggered_figures import overlay_figure

        return overlay_figure(self, level=level, language=language)

    def summary(self) -> str:
        """One line per estimator: periods, average post-adoption effect, pre-trend test."""
        lines = []
        for name, e in zip(self.names, self.effects, strict=True):
            post = e.estimates[np.asarray(e.periods) >= 0]
            line = f"{name}: {len(e.periods)} relative periods"
            if post.size:
                line += f", average post-adoption effect {post.mean():.4g}"
            if np.any(np.asarray(e.periods) < 0):
                test = e.pretrend_test()
                line += f", pre-trend test p = {test.p_value:.3g}"
            lines.append(line)
        return "Dynamic effects compared: " + "; ".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<div><p>{html.escape(self.summary())}</p>{self.table().to_html()}</div>"


def _as_effects(item: Any, position: str) -> DynamicEffects:
    if isinstance(item, DynamicEffects):
        return item
    method = getattr(item, "dynamic", None)
    if callable(method):
        effects = method()
        if isinstance(effects, DynamicEffects):
            return effects
    raise PilotdidError(
        f"compare_dynamic(): {position} is a {type(item).__name__}, which is neither a "
        "DynamicEffects nor a result with .dynamic() returning one (event_study, att_gt, "
        "sun_abraham and did_imputation results have it)"
    )


def compare_dynamic(results_or_effects: Any, *, level: float = 0.95) -> DynamicComparison:
    """Put several dynamic (event-study) estimators side by side.

    Parameters
    ----------
    results_or_effects : result, DynamicEffects, sequence of them, or mapping name → one
        Results with a ``.dynamic()`` method (e.g. :func:`pilotdid.event_study`) or
        :class:`~pilotdid.did.dynamic.DynamicEffects`. Names are the mapping's keys, else
        each estimator's short name (``"TWFE"``, ``"CS"`` ...), numbered when repeated.
    level : float, default 0.95
        Confidence level of the intervals in the figure and ``tidy()``.

    Returns
    -------
    DynamicComparison
        ``.figure()``, ``.table()``, ``.tidy()``.

    Examples
    --------
    >>> import numpy as np
    >>> from pilotdid.did.dynamic import DynamicEffects
    >>> a = DynamicEffects("TWFE", np.array([-2, 0, 1]), np.array([0.0, 0.5, 0.7]), np.eye(3) * 0.01)
    >>> b = DynamicEffects("BJS", np.array([-1, 0, 1]), np.array([0.1, 0.6, 0.8]), np.eye(3) * 0.01,
    ...                    ref=None)
    >>> cmp = compare_dynamic([a, b])
    >>> cmp.tidy().groupby("estimator")["rel_time"].apply(list).to_dict()
    {'BJS': [-1, 0, 1], 'TWFE': [-2, -1, 0, 1]}
    >>> cmp.table().row_labels()[:4]
    ['t-2', '', 't-1', '']
    """
    if not 0 < float(level) < 1:
        raise PilotdidError(f"compare_dynamic(level={level!r}) must be strictly between 0 and 1")
    if isinstance(results_or_effects, Mapping):
        pairs = [(str(k), v) for k, v in results_or_effects.items()]
        given = True
    else:
        single = isinstance(results_or_effects, DynamicEffects) or hasattr(
            results_or_effects, "dynamic"
        )
        items = [results_or_effects] if single else list(results_or_effects)
        pairs = [("", v) for v in items]
        given = False
    if not pairs:
        raise PilotdidError("compare_dynamic() needs at least one result")
    effects = [
        _as_effects(v, repr(k) if given else f"item {i + 1}") for i, (k, v) in enumerate(pairs)
    ]
    names: list[str] = []
    for (key, _), e in zip(pairs, effects, strict=True):
        base = key if given else e.estimator
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return DynamicComparison(tuple(effects), tuple(names), float(level))
