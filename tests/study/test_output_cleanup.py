"""Output folders: stale staging folders of killed runs are removed, failed runs leave no parents."""

import os
import time

from pilotdid.cli import EXIT_BAD_INPUT, EXIT_OK, main


def _old(path, seconds=3600):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_run_removes_its_own_stale_staging_folders(project, monkeypatch):
    monkeypatch.chdir(project)
    killed = project / ".out.tmp-k3j4h5"  # the old name format, an hour old
    killed.mkdir()
    (killed / "report.html").write_text("partial")
    _old(killed)
    dead = project / ".out.tmp-999999999-abcd"  # a process id that cannot be running
    dead.mkdir()
    fresh = project / ".out.tmp-zzzz"  # could be a run in progress: kept
    fresh.mkdir()
    mine = project / f".out.tmp-{os.getppid()}-live"  # a live process: kept
    mine.mkdir()
    _old(mine)
    other = project / ".elsewhere.tmp-k3j4h5"  # another output's: never touched
    other.mkdir()
    _old(other)
    assert main(["run", "study.toml", "-q"]) == EXIT_OK
    left = {p.name for p in project.iterdir() if p.name.startswith(".")}
    assert killed.name not in left and dead.name not in left
    assert {fresh.name, mine.name, other.name} <= left
    assert not any(n.startswith(".out.tmp-") and n not in (fresh.name, mine.name) for n in left)


def test_remove_stale_staging_ignores_files_and_other_names(tmp_path):
    from pilotdid.report.build import remove_stale_staging

    (tmp_path / ".out.tmp-x").write_text("a file")
    _old(tmp_path / ".out.tmp-x")
    (tmp_path / "out.tmp-x").mkdir()
    _old(tmp_path / "out.tmp-x")
    assert remove_stale_staging(tmp_path / "out") == []


def test_a_failed_run_removes_the_parent_folders_it_created(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    study = project / "study.toml"
    study.write_text(study.read_text() + '\n[mechanisms]\nmediators = ["x1", "y", "province"]\n')
    code = main(["run", "study.toml", "-q", "--out", "newparent/deeper/B"])
    assert code == EXIT_BAD_INPUT, capsys.readouterr().err
    assert not (project / "newparent").exists()
    (project / "keep").mkdir()
    assert main(["run", "study.toml", "-q", "--out", "keep/new/B"]) == EXIT_BAD_INPUT
    assert (project / "keep").is_dir() and not (project / "keep" / "new").exists()
