"""run_many: several study files, serially, through a process pool and a local Dask cluster."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

import pilotdid as pdid
from pilotdid.study.config import load_study

from .conftest import MINIMAL, small_panel


@pytest.fixture
def two_studies(tmp_path):
    paths = []
    for i, seed in enumerate((0, 1)):
        folder = tmp_path / f"s{i}"
        folder.mkdir()
        small_panel(seed=seed).to_csv(folder / "panel.csv", index=False)
        (folder / "study.toml").write_text(
            MINIMAL.replace("[placebo]", f"[study]\nseed = {7 + i}\n\n[placebo]"), encoding="utf-8"
        )
        paths.append(folder / "study.toml")
    return paths


def _key(result):
    return float(result.main.coef()["did"]), result.placebo.draws


def test_serial_equals_run_study(two_studies):
    results = pdid.run_many(two_studies)
    assert len(results) == 2
    for path, res in zip(two_studies, results, strict=True):
        alone = pdid.run_study(load_study(path))
        assert _key(res)[0] == _key(alone)[0]
        pd.testing.assert_frame_equal(_key(res)[1], _key(alone)[1])
    assert _key(results[0])[0] != _key(results[1])[0]


def test_process_pool_and_dask_give_the_serial_results(two_studies):
    serial = pdid.run_many(two_studies)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = pdid.run_many(two_studies, executor=pool)
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dasked = pdid.run_many(two_studies, executor=client.get_executor())
    for other in (pooled, dasked):
        for a, b in zip(serial, other, strict=True):
            assert _key(a)[0] == _key(b)[0]
            pd.testing.assert_frame_equal(_key(a)[1], _key(b)[1], check_exact=True)


def test_errors(two_studies, tmp_path):
    with pytest.raises(pdid.StudyFileError, match="list of study files"):
        pdid.run_many(two_studies[0])
    with pytest.raises(pdid.StudyFileError, match="Executor"):
        pdid.run_many(two_studies, executor=4)
    (tmp_path / "bad.toml").write_text("[model]\noutcome = 3\n", encoding="utf-8")
    with pytest.raises(pdid.StudyFileError):
        pdid.run_many([*two_studies, tmp_path / "bad.toml"])
