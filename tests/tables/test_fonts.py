"""Chinese figures draw Chinese glyphs, not empty boxes, with the font pilotdid finds."""

import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from pilotdid.report.build import figure_rc
from pilotdid.report.messages import capture
from pilotdid.tables.fonts import _has_chinese, cjk_font

TITLE = "安慰剂检验：实际估计值"


def _figure(rc):
    with matplotlib.rc_context(rc):
        fig = plt.figure(figsize=(3, 0.6), dpi=80)
        fig.text(0.02, 0.3, TITLE, fontsize=14)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)


def _draw(rc):
    """Return (pixels, glyph warnings) of a figure whose only text is a Chinese title."""
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(rc):
        warnings.simplefilter("always")
        fig = plt.figure(figsize=(3, 0.6), dpi=80)
        fig.text(0.02, 0.3, TITLE, fontsize=14)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
        plt.close(fig)
    glyphs = [w for w in caught if "missing from font" in str(w.message)]
    return pixels, glyphs


def test_a_font_with_chinese_glyphs_is_found():
    name = cjk_font()
    assert name is not None, (
        "no CJK font: `pip install pilotdid[zh]` (mplfonts) is a test dependency"
    )
    with matplotlib.rc_context(figure_rc("zh")):
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert _has_chinese(Path(path)), path


def test_chinese_text_is_drawn_and_differs_from_the_tofu_boxes():
    chinese, warned = _draw(figure_rc("zh"))
    assert warned == []
    tofu, boxes = _draw({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]})
    assert boxes  # DejaVu Sans has no Chinese glyphs: what the report drew before
    assert chinese.shape == tofu.shape and not np.array_equal(chinese, tofu)
    ink = (chinese[..., :3] < 128).any(axis=-1).sum()
    assert ink > 50  # something was drawn


def test_missing_glyphs_become_one_message_not_terminal_output(capsys):
    messages: list[str] = []
    with capture("figures", messages):
        _figure({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]})
    assert len(messages) == 1 and "characters could not be drawn" in messages[0]
    assert "pip install pilotdid[zh]" in messages[0]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("module", ["pilotdid", "pilotdid.tables.fonts"])
def test_importing_pilotdid_does_not_load_fonts(module):
    import subprocess
    import sys

    code = f"import sys, {module}; print('matplotlib.font_manager' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
