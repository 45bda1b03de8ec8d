"""The analytic choices of a specification curve: checked once, expanded into specifications.

A choice dimension maps labels to settings. Every dimension accepts a list of the built-in
labels below or a ``{label: setting}`` mapping of the user's own:

- ``matching``: ``"none"`` (no matching: the full panel), ``"nearest"`` (1:1 nearest neighbour),
  ``"nearest_k4"`` (1:4), ``"caliper"`` (1:1 within 0.05 of the score), ``"radius"`` (radius
  0.05), ``"kernel"`` (Epanechnikov); a setting is a dict of :func:`pilotdid.match` keywords
  (``method``, ``k``, ``caliper``, ...) or None for no matching;
- ``mode``: ``"pooled"``, ``"by_year"``, ``"base_year"`` (:func:`pilotdid.match`'s ``panel=``);
- ``controls``: ``{label: [columns]}`` (a list of column lists is labelled by its columns);
- ``sample``: ``{label: None}`` for the whole sample or ``{label: (column, [values])}`` to leave
  the rows with those values out (:func:`pilotdid.exclude`);
- ``estimator``: ``"twfe"``, ``"sa"`` (Sun-Abraham), ``"bjs"`` (imputation), ``"cs"``
  (Callaway-Sant'Anna, simple aggregate): the names of the study file's ``[staggered]`` section;
- ``cluster``: column names (cluster-robust CRV1), ``"hetero"`` or ``"iid"``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

import numpy as np

from pilotdid.errors import PilotdidError, did_you_mean
from pilotdid.options import PanelMode, SpecEstimator

__all__ = [
    "DIMENSIONS",
    "MATCHING_PRESETS",
    "NO_MODE",
    "Choices",
    "Spec",
    "expand",
    "normalise_choices",
    "sample_specs",
]

#: The choice dimensions, in the order of the figure's grid.
DIMENSIONS: tuple[str, ...] = ("matching", "mode", "controls", "sample", "estimator", "cluster")

#: Built-in matching settings (keywords of :func:`pilotdid.match`); None: no matching.
MATCHING_PRESETS: Mapping[str, dict[str, Any] | None] = {
    "none": None,
    "nearest": {"method": "nearest", "k": 1},
    "nearest_k4": {"method": "nearest", "k": 4},
    "caliper": {"method": "nearest", "k": 1, "caliper": 0.05},
    "radius": {"method": "radius", "caliper": 0.05},
    "kernel": {"method": "kernel"},
}
_MODES: tuple[str, ...] = get_args(PanelMode)
_ESTIMATORS: tuple[str, ...] = get_args(SpecEstimator)
_VCOV_WORDS = ("hetero", "iid")
#: Label of the mode of specifications without matching (the mode does not apply).
NO_MODE = "-"


@dataclass(frozen=True)
class Spec:
    """One specification: a label per dimension (``mode`` is ``"-"`` without matching)."""

    matching: str
    mode: str
    controls: str
    sample: str
    estimator: str
    cluster: str

    def labels(self) -> dict[str, str]:
        """Return the choice labels by dimension."""
        return {d: getattr(self, d) for d in DIMENSIONS}


@dataclass(frozen=True)
class Choices:
    """The checked settings of every dimension (label -> setting, in the user's order)."""

    matching: Mapping[str, dict[str, Any] | None]
    mode: tuple[str, ...]
    controls: Mapping[str, tuple[str, ...]]
    sample: Mapping[str, tuple[str, tuple[Any, ...]] | None]
    estimator: tuple[str, ...]
    cluster: tuple[str, ...]

    def order(self, dimension: str) -> list[str]:
        """Return the labels of one dimension, in the user's order (``"-"`` last for ``mode``)."""
        values = list(getattr(self, dimension))
        if dimension == "mode":
            values = values if any(v is not None for v in self.matching.values()) else []
            if any(v is None for v in self.matching.values()):
                values.append(NO_MODE)
        return values


def _bad(dimension: str, message: str) -> PilotdidError:
    return PilotdidError(f"spec_curve choices[{dimension!r}]: {message}")


def _labels(dimension: str, value: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise _bad(
            dimension, f"give a non-empty list of labels from {list(allowed)}, not {value!r}"
        )
    for v in value:
        if v not in allowed:
            hint = did_you_mean(str(v), list(allowed))
            raise _bad(dimension, f"{v!r} is not one of {list(allowed)}{hint}")
    if len(set(value)) != len(value):
        raise _bad(dimension, f"a label appears twice in {list(value)}")
    return tuple(value)


def _matching(value: Any) -> dict[str, dict[str, Any] | None]:
    if isinstance(value, Mapping):
        out: dict[str, dict[str, Any] | None] = {}
        for label, setting in value.items():
            if setting is not None and not isinstance(setting, Mapping):
                raise _bad("matching", f"{label!r} must map to match() keywords or None")
            bad = {"panel", "unit", "time", "seed"} & set(setting or {})
            if bad:
                raise _bad("matching", f"{label!r} sets {sorted(bad)}; these come from the curve")
            out[str(label)] = None if setting is None else dict(setting)
        if not out:
            raise _bad("matching", "the mapping is empty")
        return out
    return {
        label: MATCHING_PRESETS[label]
        for label in _labels("matching", value, list(MATCHING_PRESETS))
    }


def _controls(value: Any, columns: Sequence[str]) -> dict[str, tuple[str, ...]]:
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, Sequence) and not isinstance(value, str) and value:
        pairs = [(", ".join(v) if len(v) else "none", v) for v in value]
    else:
        raise _bad(
            "controls", f"give {{label: [columns]}} or a list of column lists, not {value!r}"
        )
    out: dict[str, tuple[str, ...]] = {}
    for label, cols in pairs:
        if isinstance(cols, str) or not isinstance(cols, Sequence):
            raise _bad("controls", f"{label!r} must be a list of column names, not {cols!r}")
        for c in cols:
            if c not in columns:
                raise _bad(
                    "controls",
                    f"column {c!r} is not in the data{did_you_mean(str(c), list(columns))}",
                )
        out[label] = tuple(cols)
    if not out:
        raise _bad("controls", "no control set given")
    return out


def _sample(value: Any, columns: Sequence[str]) -> dict[str, tuple[str, tuple[Any, ...]] | None]:
    if not isinstance(value, Mapping) or not value:
        raise _bad("sample", f"give {{label: None or (column, [values])}}, not {value!r}")
    out: dict[str, tuple[str, tuple[Any, ...]] | None] = {}
    for label, setting in value.items():
        if setting is None:
            out[str(label)] = None
            continue
        if not (
            isinstance(setting, Sequence) and len(setting) == 2 and isinstance(setting[0], str)
        ):
            raise _bad("sample", f"{label!r} must be None or (column, [values]), not {setting!r}")
        column, values = setting
        if column not in columns:
            raise _bad(
                "sample",
                f"column {column!r} is not in the data{did_you_mean(column, list(columns))}",
            )
        values = [values] if isinstance(values, str) or not isinstance(values, Sequence) else values
        out[str(label)] = (column, tuple(values))
    return out


def _cluster(value: Any, columns: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise _bad(
            "cluster", f"give a non-empty list of column names, 'hetero' or 'iid', not {value!r}"
        )
    for v in value:
        if v not in columns and v not in _VCOV_WORDS:
            hint = did_you_mean(str(v), [*columns, *_VCOV_WORDS])
            raise _bad("cluster", f"{v!r} is neither a column of the data nor 'hetero'/'iid'{hint}")
    return tuple(value)


def normalise_choices(
    choices: Mapping[str, Any] | None, columns: Sequence[str], *, unit: str
) -> Choices:
    """Check ``choices`` and fill the dimensions not given with one default each.

    Defaults: matching ``["nearest"]``, mode ``["base_year"]``, controls ``{"none": []}``,
    sample ``{"full": None}``, estimator ``["twfe"]``, cluster ``[unit]``.
    """
    choices = dict(choices or {})
    unknown = set(choices) - set(DIMENSIONS)
    if unknown:
        name = sorted(unknown)[0]
        raise PilotdidError(
            f"spec_curve: unknown choice {name!r}{did_you_mean(name, list(DIMENSIONS))}; "
            f"the dimensions are {list(DIMENSIONS)}"
        )
    return Choices(
        matching=_matching(choices.get("matching", ["nearest"])),
        mode=_labels("mode", choices.get("mode", ["base_year"]), _MODES),
        controls=_controls(choices.get("controls", {"none": []}), columns),
        sample=_sample(choices.get("sample", {"full": None}), columns),
        estimator=_labels("estimator", choices.get("estimator", ["twfe"]), _ESTIMATORS),
        cluster=_cluster(choices.get("cluster", [unit]), columns),
    )


def expand(choices: Choices) -> list[Spec]:
    """Every specification of the cross-product (the mode only with matching), in a fixed order."""
    specs: list[Spec] = []
    for m, setting in choices.matching.items():
        modes = (NO_MODE,) if setting is None else choices.mode
        for combo in itertools.product(
            modes, choices.controls, choices.sample, choices.estimator, choices.cluster
        ):
            specs.append(Spec(m, *combo))
    return specs


def sample_specs(specs: list[Spec], max_specs: int | None, seed: int) -> np.ndarray:
    """Positions of the specifications run: all, or a seeded random subset of ``max_specs``."""
    if max_specs is not None and (
        isinstance(max_specs, bool) or not isinstance(max_specs, (int, np.integer)) or max_specs < 1
    ):
        raise PilotdidError(f"spec_curve: max_specs={max_specs!r} must be a positive integer")
    if max_specs is None or len(specs) <= max_specs:
        return np.arange(len(specs))
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(len(specs), int(max_specs), replace=False))
