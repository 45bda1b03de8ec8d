"""The HTML report in a real headless Chromium: it loads cleanly and shows the tables and figures.

Skipped when no Chromium is installed (``.ci/run`` installs Debian's ``chromium``).
"""

import re
import shutil
import subprocess

import numpy as np
import pytest

from pilotdid.study.figures import FIGURE_KEYS

BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]  # fmt: skip


def chromium(page, tmp_path, *extra):
    """Run headless Chromium on ``page``; return (DOM or "", console lines)."""
    profile = tmp_path / "profile"
    done = subprocess.run(
        [str(BROWSER), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_the_console_check_catches_script_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>notDefined();</script>", encoding="utf-8")
    _, console = chromium(bad, tmp_path, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console)


def test_report_loads_without_console_errors_and_shows_tables_and_figures(example_output, tmp_path):
    dom, console = chromium(example_output / "report.html", tmp_path, "--dump-dom")
    assert console == []
    assert len(re.findall(r"<table class=\"pilotdid-table\"", dom)) >= 9
    for caption in ("Table 1. Descriptive Statistics", "Table 3. PSM-DID Estimation Results",
                    "Table 5. Moderating Effect", "Figure 1. Placebo Test"):  # fmt: skip
        assert caption in dom
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) == len(FIGURE_KEYS)


def test_screenshot_shows_a_rendered_page(example_output, tmp_path):
    from matplotlib.image import imread

    shot = tmp_path / "report.png"
    _, console = chromium(
        example_output / "report.html", tmp_path, "--window-size=1200,4000", f"--screenshot={shot}"
    )
    assert console == []
    pixels = imread(shot)
    assert pixels.shape[:2] == (4000, 1200)
    gray = pixels[..., :3].mean(axis=2)
    # a blank or failed page is one colour; a rendered report has text, rules and plots
    assert gray.std() > 0.05
    assert (gray < 0.5).mean() > 0.005
    rows_with_ink = np.flatnonzero((gray < 0.5).any(axis=1))
    assert rows_with_ink.max() - rows_with_ink.min() > 3000  # content down the whole window
    shutil.copy(shot, example_output.parent / "report-screenshot.png")
