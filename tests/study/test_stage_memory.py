"""Peak memory per stage (#19): measured, passed to progress hooks, printed and reported."""

import math

import numpy as np
import pytest

from pilotdid.cli import _progress
from pilotdid.study import stages
from pilotdid.study.config import load_study
from pilotdid.study.peak_memory import PeakMeter
from pilotdid.study.pipeline import STAGES, run_study


def test_every_stage_has_a_peak(example_result):
    peaks = example_result.peak_memory
    assert set(peaks) == set(STAGES)
    assert all(math.isnan(v) or v > 10 for v in peaks.values())  # MiB of a Python process


def test_the_meter_sees_a_block_allocated_inside_the_stage():
    meter = PeakMeter()
    if not meter.resettable:
        pytest.skip("no resettable high-water mark on this platform")
    meter.start()
    base = meter.stop()
    meter.start()
    block = np.ones(64 * 1024 * 1024 // 8)  # 64 MiB, touched
    del block
    grown = meter.stop()
    assert grown >= base + 60
    meter.start()  # reset: the 64 MiB block is gone, so the mark starts low again
    assert meter.stop() < grown - 40


def test_hooks_with_peak_mib_get_it_old_hooks_keep_working(project):
    old, new = [], []
    run_study(project / "study.toml", progress=lambda i, n, s, t: old.append(s))
    run_study(
        project / "study.toml",
        progress=lambda i, n, s, t, peak_mib=None: new.append((s, t, peak_mib)),
    )
    assert len(old) == 2 * len(STAGES)  # start and end of every stage
    ends = [(s, p) for s, t, p in new if t is not None]
    assert [s for s, _ in ends] == list(STAGES)
    assert all(p is not None and p > 0 for _, p in ends)


def test_cli_progress_line_shows_peak(capsys):
    _progress(3, 10, "matching", None)
    _progress(3, 10, "matching", 1.5, peak_mib=1234.4)
    assert capsys.readouterr().err == "  [3/10] matching        1.50 s    1,234 MiB peak\n"
    _progress(3, 10, "matching", None)
    _progress(3, 10, "matching", 1.5)
    assert capsys.readouterr().err.endswith("1.50 s\n")


def test_report_lists_peak_memory_with_timings(example_output):
    html = (example_output / "report.html").read_text(encoding="utf-8")
    assert "peak memory (MiB) by stage" in html


def test_staggered_design_is_computed_once(project, monkeypatch):
    from pilotdid.did import staggered as did_staggered

    calls = []
    real = did_staggered.staggered_design

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(did_staggered, "staggered_design", counted)
    study = load_study(project / "study.toml")
    result = run_study(study)
    note = stages.staggered_note(study.config, result.matching)
    from pilotdid.study.staggered import staggered_on

    staggered_on(study.config, result.matching)
    assert note is None or isinstance(note, str)
    assert len(calls) == 1  # the baseline warning, the "auto" switch and these calls share it
