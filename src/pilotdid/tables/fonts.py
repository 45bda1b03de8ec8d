"""A font with Chinese glyphs for the figures of ``report.language = "zh"``.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so Chinese text would be drawn as
empty boxes. :func:`cjk_font` finds a font that has them, at figure time (never at import of
pilotdid), and registers it with matplotlib's font manager:

1. a known CJK family matplotlib already knows (Noto Sans CJK SC, Source Han Sans SC, ...);
2. the Noto Sans CJK SC font shipped by the PyPI package ``mplfonts`` (``pip install
   pilotdid[zh]``), found on disk without importing that package;
3. a CJK font file among the system's fonts (matplotlib's font cache may predate its install).

The font file is checked for a Chinese glyph before it is used.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CJK_FONTS", "MISSING_CJK_FONT", "cjk_font", "in_figure_language"]

#: Fonts with Chinese glyphs, most common first; the first one installed draws Chinese figures.
CJK_FONTS = (
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS",
)  # fmt: skip

#: Parts of file names of system fonts with Chinese glyphs (lower case).
_FILE_HINTS = (
    "notosanscjk", "notoserifcjk", "sourcehansans", "sourcehanserif", "wqy", "wenquanyi",
    "simhei", "simsun", "msyh", "pingfang", "droidsansfallback", "notosanssc", "uming", "ukai",
)  # fmt: skip

#: The font file of the ``mplfonts`` package (SIL Open Font License).
_MPLFONTS_FILE = ("fonts", "NotoSansCJKsc-Regular.otf")

MISSING_CJK_FONT = (
    "no font with Chinese glyphs was found, so Chinese text in the figures shows as empty "
    "boxes; install one with `pip install pilotdid[zh]` (the mplfonts package) or a system "
    "CJK font (e.g. fonts-noto-cjk)"
)


def _has_chinese(path: Path) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        return FT2Font(str(path)).get_char_index(ord("中")) != 0
    except (OSError, RuntimeError, ValueError):
        return False


def _mplfonts_file() -> Path | None:
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder).joinpath(*_MPLFONTS_FILE)
        if path.is_file():
            return path
    return None


def _system_files() -> list[Path]:
    from matplotlib import font_manager

    found = []
    for name in sorted(font_manager.findSystemFonts()):
        stem = Path(name).name.lower().replace("-", "").replace("_", "").replace(" ", "")
        if any(hint in stem for hint in _FILE_HINTS):
            found.append(Path(name))
    return found


@functools.cache
def cjk_font() -> str | None:
    """Return the family name of a font with Chinese glyphs known to matplotlib, or None.

    Registers the font file with :data:`matplotlib.font_manager.fontManager` when matplotlib
    did not know it yet. The answer is cached for the process.

    Returns
    -------
    str or None
        A family to put first in ``font.sans-serif``; None when no such font is installed.
    """
    from matplotlib import font_manager

    known = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known and _has_chinese(Path(known[name])):
            return name
    bundled = _mplfonts_file()
    for path in ([bundled] if bundled else []) + _system_files():
        if not _has_chinese(path):
            continue
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            continue
        return str(font_manager.FontProperties(fname=str(path)).get_name())
    return None


F = TypeVar("F", bound=Callable[..., "Figure"])


def in_figure_language(draw: F) -> F:
    """Decorate a figure function so that its ``language="zh"`` figures draw Chinese text.

    matplotlib's default font has no Chinese glyphs, so a Chinese figure made through the API
    (``result.figure(language="zh")``) would show empty boxes. The decorated function runs with
    a font with Chinese glyphs (:func:`cjk_font`) first in ``font.family``; every text it
    creates keeps that font, also when the figure is saved later. English figures, and Chinese
    ones on a machine without such a font, are drawn as before.

    Parameters
    ----------
    draw : callable
        A function returning a matplotlib figure, taking ``language=`` as a keyword.

    Returns
    -------
    callable
        The same function, run in the figure's language.
    """

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        family = cjk_font() if kwargs.get("language", "en") == "zh" else None
        if family is None:
            return draw(*args, **kwargs)
        import matplotlib

        rc: dict[Any, Any] = {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}
        with matplotlib.rc_context(rc):
            return draw(*args, **kwargs)

    return cast(F, wrapper)
