"""Turn pydantic's validation errors into one plain line per problem, with the study-file key path.

pydantic reports a location tuple such as ``("matching", "calipr")`` and a generic message
("Extra inputs are not permitted"). A user editing TOML needs the key path as written in the
file (``matching.calipr``, ``exclusions[0].values``), what is expected there in words ("a
positive integer", "one of 'logit', 'probit'") and, for typos, the nearest valid name. The
expected value is read from the schema itself, so the message and the schema cannot drift apart.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Sequence
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from pilotdid.errors import StudyFileError, did_you_mean

__all__ = ["describe_expected", "problem_lines", "show_value", "study_error"]

_PLAIN = {str: "text (in quotes)", bool: "true or false", int: "an integer", float: "a number"}


def show_value(value: Any) -> str:
    """Show a value as it would look in TOML (``"many"``, ``true``, ``[1, 2]``), shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "a table {" + ", ".join(str(k) for k in value) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(show_value(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bounds(metadata: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    flat = [
        m for item in metadata for m in (item.metadata if isinstance(item, FieldInfo) else [item])
    ]
    for item in flat:
        for key in ("gt", "ge", "lt", "le"):
            if isinstance(item, getattr(annotated_types, key.capitalize())):
                out[key] = getattr(item, key)
    return out


def _number(kind: type, metadata: Sequence[Any]) -> str:
    word = "integer" if kind is int else "number"
    b = _bounds(metadata)
    if b.get("gt") == 0 and len(b) == 1:
        return f"a positive {word}"
    if b.get("ge") == 0 and len(b) == 1:
        return f"a non-negative {word}"
    if not b:
        return _PLAIN[kind]
    low = f"> {b['gt']}" if "gt" in b else f">= {b['ge']}" if "ge" in b else ""
    high = f"< {b['lt']}" if "lt" in b else f"<= {b['le']}" if "le" in b else ""
    return f"a{'n' if kind is int else ''} {word} {' and '.join(p for p in (low, high) if p)}"


def describe_expected(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """Describe in words what a field annotation accepts.

    Examples
    --------
    >>> from typing import Literal
    >>> describe_expected(Literal["logit", "probit"])
    "one of 'logit', 'probit'"
    >>> describe_expected(list[str] | None)
    'a list of text values'
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return describe_expected(args[0], [*metadata, *args[1:]])
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = list(
            dict.fromkeys(describe_expected(a, metadata) for a in args if a is not type(None))
        )
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
    if origin is list:
        inner = describe_expected(args[0]) if args else "values"
        inner = inner.replace("text (in quotes)", "text values").removeprefix("a ")
        inner = inner.removeprefix("an ").replace("one of", "values among")
        return f"a list of {inner}" if "list" not in inner else f"a list ({inner})"
    if origin is dict:
        return "a table of name = value pairs"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a table of settings"
    if annotation in (int, float):
        return _number(annotation, metadata)
    return _PLAIN.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """Return the model class inside ``X``, ``X | None``, ``list[X]`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _container(annotation: Any) -> Any:
    """Unwrap Optional/Annotated to the list or dict annotation, if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _container(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) in (list, dict):
                return arg
    return annotation


class _Where:
    """The key path of a pydantic location, and the field (or model) found there."""

    def __init__(self, loc: Sequence[Any], root: type[BaseModel]) -> None:
        self.path = ""
        self.field: FieldInfo | None = None
        self.annotation: Any = root
        self.parent: type[BaseModel] | None = None
        self.key: str | None = None
        for part in loc:
            if not self._step(part):
                break

    def _step(self, part: Any) -> bool:
        container = _container(self.annotation)
        origin = typing.get_origin(container)
        model = _inner_model(self.annotation) if origin not in (list, dict) else None
        if isinstance(part, int) and origin is list:
            self.path += f"[{part}]"
            self.annotation, self.field = typing.get_args(container)[0], None
            return True
        if origin is dict and isinstance(part, str):
            self.path += f".{part}" if part.isidentifier() else f".{json.dumps(part)}"
            self.annotation, self.field = typing.get_args(container)[1], None
            return True
        if model is not None and isinstance(part, str):
            self.parent, self.key = model, part
            self.path += ("." if self.path else "") + part
            self.field = model.model_fields.get(part)
            self.annotation = self.field.annotation if self.field is not None else None
            if self.field is not None:
                self.annotation = _with_metadata(self.field)
            return self.field is not None
        # a union member tag such as 'int' or "literal['first','pre_mean']": not a key
        return True


def _literal_values(annotation: Any) -> list[Any]:
    """Every value a Literal inside ``annotation`` allows (for did-you-mean suggestions)."""
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return [v for arg in typing.get_args(annotation) for v in _literal_values(arg)]


def _with_metadata(field: FieldInfo) -> Any:
    if field.metadata:
        return typing.Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def _line(error: dict[str, Any], root: type[BaseModel]) -> tuple[str, str]:
    where = _Where(error["loc"], root)
    path = where.path or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        pool = list(where.parent.model_fields) if where.parent is not None else []
        noun = "section or key" if "." not in where.path else "key"
        return path, f"{path}: unknown {noun}{did_you_mean(str(where.key), pool)}"
    if kind == "missing":
        return path, f"{path}: required key is missing"
    if kind in ("value_error", "assertion_error"):
        return path, f"{path}: {error['msg'].split(', ', 1)[-1]}"
    expected = describe_expected(where.annotation)
    value = error.get("input")
    choices = [str(v) for v in _literal_values(where.annotation)]
    hint = did_you_mean(value, choices) if isinstance(value, str) and choices else ""
    return path, f"{path}: must be {expected}, got {show_value(value)}{hint}"


def problem_lines(exc: ValidationError, root: type[BaseModel], raw: Any = None) -> list[str]:
    """One message per key path for every error pydantic found, in file order.

    A union field (``base = "first" | 2010``) fails once per member; those failures share a key
    path and become one line.
    """
    lines: dict[str, str] = {}
    for error in exc.errors():
        path, line = _line(dict(error), root)
        lines.setdefault(path, line)
    return list(lines.values())


def study_error(name: str, problems: Sequence[str]) -> StudyFileError:
    """Build one :class:`StudyFileError` listing ``problems``, one per line.

    The exception carries the lines in its ``problems`` attribute.

    Examples
    --------
    >>> print(study_error("study.toml", ["placebo.draws: must be a positive integer, got 0"]))
    study.toml has 1 problem:
      - placebo.draws: must be a positive integer, got 0
    """
    count = len(problems)
    body = "\n".join(f"  - {p}" for p in problems)
    error = StudyFileError(f"{name} has {count} problem{'s' if count > 1 else ''}:\n{body}")
    error.problems = tuple(problems)  # type: ignore[attr-defined]
    return error
