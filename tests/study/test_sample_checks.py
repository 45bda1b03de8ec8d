"""``pilotdid validate`` finds what ``run`` would reject on the analysis sample (exit 2, key path)."""

import pytest

from pilotdid.cli import EXIT_BAD_INPUT, main
from tests.study.conftest import MINIMAL, small_panel


@pytest.fixture
def folder(tmp_path, monkeypatch):
    df = small_panel()
    df["const"] = 1.0
    df["big"] = (df["city"] > 12).astype(float)  # the high group has no treated unit
    df.to_csv(tmp_path / "panel.csv", index=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _both(folder, capsys, extra):
    (folder / "study.toml").write_text(MINIMAL + extra, encoding="utf-8")
    results = []
    for command in (["validate", "study.toml"], ["run", "study.toml", "-q"]):
        code = main(command)
        results.append((code, capsys.readouterr().err))
    assert not (folder / "out").exists()
    return results


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ('[mechanisms]\nmediators = ["const"]\n', "mechanisms.mediators[0]", "is constant (= 1)"),
        ('[moderation]\nmoderators = ["const"]\n', "moderation.moderators[0]", "is constant"),
        ('[heterogeneity]\nsplit_by = ["const"]\n', "heterogeneity.split_by[0]", "is constant"),
        (
            '[heterogeneity]\nsplit_by = ["big"]\n',
            "heterogeneity.split_by[0]",
            "without a treated observation",
        ),
        (
            '[[exclusions]]\nname = "no pilots"\ncolumn = "city"\nvalues = [1, 2, 3, 4]\n',
            "exclusions[0].values",
            "treated units",
        ),
        (
            '[[exclusions]]\nname = "x"\ncolumn = "province"\nvalues = ["B"]\n',
            "exclusions[0].values",
            "would leave no rows",
        ),
    ],
)
def test_validate_rejects_what_run_would_reject(folder, capsys, extra, key, words):
    (v_code, v_err), (r_code, r_err) = _both(folder, capsys, extra)
    assert v_code == EXIT_BAD_INPUT, v_err
    assert f"  - {key}: " in v_err and words in v_err
    # run stops at the same check, with the same message, before any regression
    assert r_code == EXIT_BAD_INPUT and f"  - {key}: " in r_err


def test_missing_column_is_a_key_path_problem(folder, capsys):
    (code, err), _ = _both(folder, capsys, '[moderation]\nmoderators = ["nope"]\n')
    assert code == EXIT_BAD_INPUT and "moderation.moderators[0]: column 'nope'" in err


def test_a_valid_sample_passes(folder, capsys):
    (folder / "study.toml").write_text(
        MINIMAL + '[heterogeneity]\nsplit_by = ["x1"]\n[mechanisms]\nmediators = ["x2"]\n',
        encoding="utf-8",
    )
    assert main(["validate", "study.toml"]) == 0
    assert "analysis sample:" in capsys.readouterr().out
