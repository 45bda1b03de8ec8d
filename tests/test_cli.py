"""The ``pilotdid`` command: every subcommand, the exit codes, and no partial output on failure."""

import subprocess
import sys

import pytest

from pilotdid import cli
from pilotdid.cli import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, main
from pilotdid.study.config import load_study
from tests.study.conftest import MINIMAL, small_panel


@pytest.fixture
def project(tmp_path, monkeypatch):
    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "study.toml").write_text(MINIMAL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def edit(project, old, new):
    path = project / "study.toml"
    path.write_text(path.read_text().replace(old, new))
    return path


def test_init_writes_a_template_that_validates(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["init"], capsys)
    assert code == EXIT_OK and "wrote study.toml" in err
    assert load_study(tmp_path / "study.toml").config.data.source == "demo"
    code, _, err = run(["init"], capsys)
    assert code == EXIT_BAD_INPUT and "already exists; pass --force" in err
    assert run(["init", "--force"], capsys)[0] == EXIT_OK
    code, out, _ = run(["validate", "study.toml"], capsys)
    assert code == EXIT_OK and "study.toml: OK" in out


def test_validate_reports_without_writing(project, capsys):
    code, out, _ = run(["validate", "study.toml"], capsys)
    assert code == EXIT_OK
    assert "24 units" in out and "4 of 24 units treated" in out
    assert not (project / "out").exists()


def test_run_writes_the_report(project, capsys):
    code, _, err = run(["run", "study.toml"], capsys)
    assert code == EXIT_OK
    assert "[10/11] moderation" in err and "[11/11] spec curve" in err and "report.html" in err
    assert {"report.html", "tables.md", "tables.tex", "study.toml"} <= {
        p.name for p in (project / "out").iterdir()
    }
    code, _, err = run(["run", "study.toml", "--out", "elsewhere", "-q"], capsys)
    assert code == EXIT_OK and err == "" and (project / "elsewhere" / "report.html").exists()


def test_set_overrides_are_recorded(project, capsys):
    code, _, _ = run(["run", "study.toml", "-q", "--set", "placebo.draws=7"], capsys)
    assert code == EXIT_OK
    written = (project / "out" / "study.toml").read_text()
    assert "#   placebo.draws = 7" in written and written.endswith(MINIMAL)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[placebo]", "[placebo]\ncalipr = 1", "placebo.calipr: unknown key"),
        ("draws = 20", 'draws = "many"', 'placebo.draws: must be a positive integer, got "many"'),
        ('path = "panel.csv"', 'path = "missing.csv"', "data.path: file not found"),
        ('"4" = 2017 }', '"4" = 2017, "999" = 2016 }', "1 roster unit(s) are not in the data"),
        ('outcome = "y"', 'outcome = "why"', "model.outcome: column 'why' is not in the data"),
        ("[report]", "[report\n", "is not valid TOML"),
    ],
)
def test_bad_study_files_exit_2_with_a_clear_message_and_no_output(
    project, capsys, old, new, message
):
    edit(project, old, new)
    for command in ("validate", "run"):
        code, _, err = run([command, "study.toml"], capsys)
        assert code == EXIT_BAD_INPUT, err
        assert message in err and "Traceback" not in err
    assert not (project / "out").exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_unwritable_output_exits_2_before_running(project, capsys, monkeypatch):
    (project / "blocker").write_text("a file")
    ran = []
    monkeypatch.setattr("pilotdid.study.pipeline.run_study", lambda *a, **k: ran.append(1))
    code, _, err = run(["run", "study.toml", "--out", "blocker/out"], capsys)
    assert code == EXIT_BAD_INPUT and "--out: cannot write the output folder" in err
    assert ran == []
    code, _, err = run(["validate", "study.toml", "--out", "blocker"], capsys)
    assert code == EXIT_BAD_INPUT and "is a file, not a folder" in err


def test_foreign_output_folder_exits_2(project, capsys):
    (project / "out").mkdir()
    (project / "out" / "notes.txt").write_text("mine")
    code, _, err = run(["run", "study.toml"], capsys)
    assert code == EXIT_BAD_INPUT and "was not written by pilotdid" in err
    assert (project / "out" / "notes.txt").read_text() == "mine"


def test_internal_errors_exit_1_with_a_traceback(project, capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("pilotdid.study.pipeline.run_study", boom)
    code, _, err = run(["run", "study.toml"], capsys)
    assert code == EXIT_INTERNAL
    assert "internal error" in err and "RuntimeError: a bug" in err
    assert not (project / "out").exists()


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == EXIT_BAD_INPUT
    with pytest.raises(SystemExit) as info:
        main(["run", "x.toml", "--set", "novalue"])
    assert info.value.code == EXIT_BAD_INPUT
    assert "--set needs key=value" in capsys.readouterr().err


def test_demo_runs_the_packaged_example(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["demo", "--seed", "7", "--set", "heterogeneity.permutations=99"], capsys)
    assert code == EXIT_OK, err
    out = tmp_path / "demo_out"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Synthetic data — not real statistics" in page and "Estimated vs true effects" in page
    assert "#   study.seed = 7" in (out / "study.toml").read_text()
    assert (out / "demo_panel.csv").exists()
    assert cli.DEMO_STUDY in err


def test_the_console_script_is_installed():
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from pilotdid.cli import main; sys.exit(main())", "--version"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "pilotdid 0.1.0"
