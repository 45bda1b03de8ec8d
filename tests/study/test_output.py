"""Atomic output: an existing output folder is replaced whole or not at all."""

import os

import pytest

from pilotdid.errors import StudyFileError
from pilotdid.report import build
from pilotdid.report.build import MARKER, check_output_dir
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study


@pytest.fixture
def small_result(project):
    # no figures: these tests are about files and folders, not about drawing
    off = {f"{k}.enabled": False for k in ("matching", "placebo", "event_study")}
    study = load_study(project / "study.toml", overrides={"report.formats": ["html", "md"], **off})
    return run_study(study)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_failed_write_leaves_the_previous_output_untouched(small_result, project, monkeypatch):
    out = small_result.write_report(project / "out")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("pilotdid.report.render_report.render_report", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        small_result.write_report(out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert leftovers(project) == []


def test_a_failed_first_write_leaves_no_folder(small_result, project, monkeypatch):
    monkeypatch.setattr(build, "_results_json", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        small_result.write_report(project / "fresh")
    assert not (project / "fresh").exists()
    assert leftovers(project) == []


def test_rewriting_replaces_the_folder_whole(small_result, project):
    out = small_result.write_report(project / "out")
    (out / "stale.txt").write_text("from an earlier run")
    small_result.write_report(out)
    assert not (out / "stale.txt").exists()
    assert (out / "report.html").exists() and (out / MARKER).exists()
    assert leftovers(project) == []


def test_a_folder_pilotdid_did_not_write_is_never_replaced(small_result, project):
    mine = project / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    with pytest.raises(StudyFileError, match="already exists and was not written by pilotdid"):
        small_result.write_report(mine)
    assert (mine / "chapter1.tex").read_text() == "precious"
    empty = project / "empty"
    empty.mkdir()
    assert small_result.write_report(empty) == empty


def test_unwritable_locations_are_reported_up_front(project):
    (project / "a_file").write_text("x")
    with pytest.raises(StudyFileError, match="report.output: .*a_file is a file, not a folder"):
        check_output_dir(project / "a_file")
    with pytest.raises(StudyFileError, match="--out: cannot write the output folder"):
        check_output_dir(project / "a_file" / "out", "--out")
    with pytest.raises(StudyFileError, match="cannot write the output folder"):
        check_output_dir(project / "a_file" / "out", create=False)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions"
)
def test_a_read_only_parent_is_reported(project):
    locked = project / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StudyFileError, match="Permission denied"):
            check_output_dir(locked / "out")
        with pytest.raises(StudyFileError, match="Permission denied"):
            check_output_dir(locked / "out", create=False)
    finally:
        locked.chmod(0o700)


def test_output_folder_permissions_follow_the_umask(small_result, project):
    out = small_result.write_report(project / "out")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask
