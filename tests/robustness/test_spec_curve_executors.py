"""spec_curve through executors: a process pool and a local Dask cluster give the serial result."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

import pilotdid as pdid

C = ["lnHCL", "FIN", "lnPERgdp"]
KW = dict(unit="code", time="year", cohort="adoption_year", treatment="TP")
CHOICES = {
    "matching": ["none", "nearest", "radius"],
    "mode": ["base_year", "pooled"],
    "controls": {"none": [], "three": C},
    "sample": {"full": None, "no Guangxi": ("province", ["Guangxi"])},
    "cluster": ["code", "province"],
}


@pytest.fixture(scope="module")
def demo():
    return pdid.datasets.demo_panel().data


@pytest.fixture(scope="module")
def serial(demo):
    return pdid.spec_curve(
        demo, "lnESF", choices=CHOICES, covariates=C, max_specs=30, seed=9, ssn=True,
        ssn_draws=20, **KW,
    )  # fmt: skip


def _run(demo, executor):
    return pdid.spec_curve(
        demo, "lnESF", choices=CHOICES, covariates=C, max_specs=30, seed=9, ssn=True,
        ssn_draws=20, executor=executor, **KW,
    )  # fmt: skip


def test_process_pool_gives_the_serial_result(demo, serial):
    with ProcessPoolExecutor(max_workers=2) as pool:
        got = _run(demo, pool)
    pd.testing.assert_frame_equal(got.tidy(), serial.tidy(), check_exact=True)
    pd.testing.assert_frame_equal(got.ssn.statistics, serial.ssn.statistics, check_exact=True)


def test_local_dask_cluster_gives_the_serial_result(demo, serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = _run(demo, client.get_executor())
    pd.testing.assert_frame_equal(got.tidy(), serial.tidy(), check_exact=True)
    pd.testing.assert_frame_equal(got.ssn.statistics, serial.ssn.statistics, check_exact=True)
