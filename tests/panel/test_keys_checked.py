"""keys_checked: the study checks its sample's keys once; API calls are checked as always."""

import pandas as pd
import pytest

import pilotdid.panel.frames as frames
from pilotdid.errors import PanelError
from pilotdid.panel.frames import check_unique_keys, keys_checked


def _panel():
    return pd.DataFrame({"id": [1, 1, 2, 2], "t": [1, 2, 1, 2], "y": [0.0, 1.0, 2.0, 3.0]})


def _counting(monkeypatch):
    calls = []
    real = frames.count_keys

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(frames, "count_keys", counted)
    return calls


def test_inside_the_block_the_same_frame_is_not_checked_again(monkeypatch):
    calls, df = _counting(monkeypatch), _panel()
    with keys_checked(df, "id", "t"):
        for _ in range(3):
            check_unique_keys(df, "id", "t", where="f")
    assert len(calls) == 1  # on entry only


def test_copies_other_keys_and_calls_after_the_block_are_checked(monkeypatch):
    calls, df = _counting(monkeypatch), _panel()
    with keys_checked(df, "id", "t"):
        check_unique_keys(df.copy(), "id", "t", where="f")
        check_unique_keys(df, "t", "id", where="f")
        with pytest.raises(PanelError, match="f: "):
            check_unique_keys(pd.concat([df, df]), "id", "t", where="f")
    check_unique_keys(df, "id", "t", where="f")
    assert len(calls) == 5


def test_repeated_keys_are_refused_on_entry():
    df = pd.concat([_panel(), _panel()])
    with pytest.raises(PanelError, match="study: "), keys_checked(df, "id", "t"):
        pass


def test_public_functions_inside_the_block_skip_only_the_key_check(monkeypatch):
    from pilotdid.did.event_study import event_study

    df = pd.DataFrame(
        {
            "id": [i for i in range(8) for _ in range(4)],
            "t": [2000, 2001, 2002, 2003] * 8,
            "g": [2002.0 if i < 4 else float("nan") for i in range(8) for _ in range(4)],
        }
    )
    df["y"] = df["id"] * 0.1 + (df["t"] >= df["g"]).astype(float)
    calls = _counting(monkeypatch)
    with keys_checked(df, "id", "t"):
        event_study(df, "y", unit="id", time="t", cohort="g", window=(-2, 1))
    assert len(calls) == 1
    event_study(df, "y", unit="id", time="t", cohort="g", window=(-2, 1))
    assert len(calls) == 2
