"""The documentation site's generated pages are complete: every study-file key, every export, every figure."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pilotdid
from pilotdid.study.config_reference import reference_markdown, schema_keys, template_comments
from pilotdid.study.config_schema import StudyConfig

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sections(md: str) -> dict[str, str]:
    """Section path ("matching", "treatment.names", "data.filters") -> its Markdown."""
    parts = re.split(r"^#{2,3} `\[\[?([\w.]+)\]\]?`$", md, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_schema_key_is_in_the_reference():
    md = reference_markdown()
    sections = _sections(md)
    keys = list(schema_keys())
    assert len(keys) > 100
    missing = []
    for key in keys:
        section, _, name = key.rpartition(".")
        if not section:
            assert key in sections, f"section [{key}] missing"
            continue
        if f"| `{name}` |" not in sections.get(section, ""):
            missing.append(key)
    assert not missing, f"keys missing from the study-file reference: {missing}"


def test_reference_shows_defaults_and_allowed_values():
    sections = _sections(reference_markdown())
    assert (
        '| `method` | `"nearest"` \\| `"radius"` \\| `"kernel"` | `"nearest"` |'
        in sections["matching"]
    )
    assert "| `draws` | integer | `500` |" in sections["placebo"]
    assert "**required**" in sections["model"]  # outcome has no default
    # explanations come from the template's comments
    assert template_comments()["model.vcov"] in sections["model"]


def test_reference_follows_the_schema():
    # a key added to the schema shows up without touching the generator
    from pydantic import create_model

    extended = create_model("Extended", __base__=StudyConfig, zz_new_section=(int, 1))
    assert "zz_new_section" in list(schema_keys(extended))


def test_api_page_lists_every_export():
    md = _hooks().api_markdown()
    for name, module in pilotdid._EXPORTS.items():
        assert f"::: {module}.{name}\n" in md, name


def test_guide_figures_are_figures_the_demo_draws(example_result):
    keys = {key for key, _ in example_result.figures()}
    used = set()
    for page in DOCS.rglob("*.md"):
        used |= set(re.findall(r"\]\(\.\./figures/(\w+)\.png\)", page.read_text(encoding="utf-8")))
    assert used and used <= keys, used - keys
