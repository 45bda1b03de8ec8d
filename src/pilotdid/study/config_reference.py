"""The study-file reference (Markdown), generated from the schema so that it cannot drift.

Keys, types, allowed values and defaults come from :mod:`pilotdid.study.config_schema` (the
pydantic models that validate a study file); each key's explanation is its comment in the
template (``pilotdid init``, ``study/template.toml``), which a test keeps equal to the schema.
The documentation site builds its "Study file" page from :func:`reference_markdown`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel

from pilotdid.study.config_schema import StudyConfig

__all__ = ["reference_markdown", "schema_keys", "template_comments"]

_HEADER = re.compile(r"^#?\s*\[\[?\s*([\w.]+)\s*\]\]?")
_KEY = re.compile(r"^#?\s*([A-Za-z_]\w*)\s*=\s*(.*)$")


def _section_model(tp: Any) -> tuple[type[BaseModel] | None, bool]:
    """Return (the section model inside ``tp``, whether it is a list of them)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp, False
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0], True
    if origin in (typing.Union, types.UnionType):
        for a in args:
            model, many = _section_model(a)
            if model is not None:
                return model, many
    return None, False


def schema_keys(model: type[BaseModel] = StudyConfig, prefix: str = "") -> Iterator[str]:
    """Yield every key of the study file as a dotted path (``matching.caliper``), in order.

    Examples
    --------
    >>> keys = list(schema_keys())
    >>> "matching.caliper" in keys and "data.filters.column" in keys
    True
    """
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        sub, _ = _section_model(field.annotation)
        if sub is not None and sub.model_fields:
            yield from schema_keys(sub, f"{path}.")


def _type_text(tp: Any) -> str:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _type_text(args[0])
    if origin is Literal:
        return " \\| ".join(f'`"{a}"`' if isinstance(a, str) else f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_text(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_text(args[0])}" if args else "list"
    if origin is dict:
        return f"table {_type_text(args[0])} → {_type_text(args[1])}" if args else "table"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "table"
    if isinstance(tp, type):
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}.get(
            tp.__name__, tp.__name__
        )
    return str(tp).replace("typing.", "")


def _default_text(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, list):
        inner = ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value)
        return f"`[{inner}]`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return f"`{value}`"


def template_comments() -> dict[str, str]:
    """Return each key's comment in the study-file template, by dotted path."""
    text = resources.files("pilotdid.study").joinpath("template.toml").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    section, last = "", ""
    for raw in text.splitlines():
        line = raw.strip()
        header = _HEADER.match(line)
        if header and "=" not in line.split("#", 2)[-1 if line.startswith("#") else 0]:
            section, last = header[1], ""
            continue
        key = _KEY.match(line)
        if key:
            value, _, comment = key[2].partition("  #")
            if not comment and " # " in value:
                value, _, comment = value.partition(" # ")
            path = f"{section}.{key[1]}" if section else key[1]
            if comment.strip():
                out.setdefault(path, comment.strip())
            last = path
        elif line.startswith("#") and raw.startswith(" ") and last in out:
            out[last] += " " + line.lstrip("# ").strip()  # a comment continued on the next line
    return out


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _section(model: type[BaseModel], path: str, many: bool, notes: dict[str, str]) -> list[str]:
    title = f"[[{path}]]" if many else f"[{path}]"
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ").replace("``", "`")
    lines = [f"## `{title}`" if path.count(".") == 0 else f"### `{title}`", "", doc, ""]
    lines += ["| key | type / allowed values | default | meaning |", "|---|---|---|---|"]
    subs = []
    for name, field in model.model_fields.items():
        key = f"{path}.{name}"
        sub, sub_many = _section_model(field.annotation)
        if sub is not None and sub.model_fields:
            subs.append((sub, key, sub_many))
            kind = "list of tables" if sub_many else "table"
            lines.append(f"| `{name}` | {kind} (below) | {_default_text(field)} | "
                         f"{_md(notes.get(key, ''))} |")  # fmt: skip
            continue
        lines.append(
            f"| `{name}` | {_type_text(field.annotation)} | {_default_text(field)} | "
            f"{_md(notes.get(key, ''))} |"
        )
    lines.append("")
    for sub, key, sub_many in subs:
        lines += _section(sub, key, sub_many, notes)
    return lines


def reference_markdown() -> str:
    """Return the study-file reference as Markdown: one table of keys per section.

    Examples
    --------
    >>> md = reference_markdown()
    >>> "## `[matching]`" in md and "| `caliper` |" in md
    True
    """
    notes = template_comments()
    lines = [
        "# Study file reference",
        "",
        "<!-- generated from pilotdid.study.config_schema by docs/hooks.py; do not edit -->",
        "",
        "Every key of a study file, generated from the schema that validates it "
        "(`pilotdid.study.config_schema`). Only `[data]`, `[treatment]` and `[model]` are "
        "required; `pilotdid init` writes a template with every key, its default and a comment, "
        "and `pilotdid validate study.toml` checks a file without running it.",
        "",
    ]
    for name, field in StudyConfig.model_fields.items():
        model, many = _section_model(field.annotation)
        if model is None:
            lines += [f"## `{name}`", "", _type_text(field.annotation), ""]
            continue
        lines += _section(model, name, many, notes)
    return "\n".join(lines).rstrip() + "\n"
