"""att_gt against the Python ports of R ``did`` (moderndid, csdid) on mpdta, to rtol 1e-6.

Both ports agree with R ``did`` to about 1e-15 on mpdta (the data ships inside moderndid).
"""

import importlib.resources
import warnings

import moderndid
import numpy as np
import pandas as pd
import pytest
from csdid.att_gt import ATTgt

import pilotdid as pdid

RTOL = 1e-6
_CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}


@pytest.fixture(scope="module")
def mpdta():
    path = importlib.resources.files("moderndid") / "core" / "datasets" / "mpdta_long.pkl.gz"
    return pd.read_pickle(path)


def _reference(data, method, control, covariates, base, anticipation):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return moderndid.att_gt(
            data=data, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
            xformla="~lpop" if covariates else None, est_method=method, boot=False,
            control_group=_CONTROL[control], base_period=base, anticipation=anticipation,
        )  # fmt: skip


def _ours(data, method, control, covariates, base, anticipation):
    if anticipation:  # R did drops cohorts without a pre-period silently; pilotdid asks to
        first = data["year"].min() + anticipation
        data = data[(data["first.treat"] == 0) | (data["first.treat"] > first)]
    return pdid.att_gt(
        data, "lemp", unit="countyreal", time="year", cohort="first.treat",
        covariates=("lpop",) if covariates else (), method=method, control_group=control,
        base_period=base, anticipation=anticipation, bootstrap=0, uniform=False,
    )  # fmt: skip


CASES = [
    (method, control, covariates, base, anticipation)
    for method in ("dr", "ipw", "reg")
    for control in ("never", "notyet")
    for covariates in (False, True)
    for base in ("varying", "universal")
    for anticipation in (0, 1)
]


@pytest.mark.parametrize(("method", "control", "covariates", "base", "anticipation"), CASES)
def test_cells_and_aggregations_match_moderndid(
    mpdta, method, control, covariates, base, anticipation
):
    ref = _reference(mpdta, method, control, covariates, base, anticipation)
    ours = _ours(mpdta, method, control, covariates, base, anticipation)
    tidy = ours.tidy()
    np.testing.assert_array_equal(tidy.index.get_level_values("cohort"), ref.groups)
    np.testing.assert_array_equal(tidy.index.get_level_values("time"), ref.times)
    np.testing.assert_allclose(tidy["estimate"], ref.att_gt, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(tidy["std_error"], np.asarray(ref.se_gt, float), rtol=RTOL)
    for kind in ("simple", "group", "calendar", "dynamic"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            agg_ref = moderndid.aggte(ref, type=kind)
        agg = ours.aggregate(kind)
        assert agg.overall_estimate == pytest.approx(agg_ref.overall_att, rel=RTOL, abs=1e-10)
        assert agg.overall_se == pytest.approx(agg_ref.overall_se, rel=RTOL)
        if kind != "simple":
            rows = agg.tidy()
            np.testing.assert_array_equal(rows.index, agg_ref.event_times)
            np.testing.assert_allclose(
                rows["estimate"], agg_ref.att_by_event, rtol=RTOL, atol=1e-10
            )
            np.testing.assert_allclose(rows["std_error"], agg_ref.se_by_event, rtol=RTOL)


@pytest.mark.parametrize("kind", ["dynamic", "group"])
@pytest.mark.parametrize(
    ("min_e", "max_e", "balance_e"), [(-2, 2, None), (None, None, 1), (0, 5, None)]
)
def test_event_window_and_balancing_match_moderndid(mpdta, kind, min_e, max_e, balance_e):
    ref = _reference(mpdta, "dr", "notyet", True, "varying", 0)
    ours = _ours(mpdta, "dr", "notyet", True, "varying", 0)
    bounds = {
        "min_e": -np.inf if min_e is None else min_e,
        "max_e": np.inf if max_e is None else max_e,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg_ref = moderndid.aggte(ref, type=kind, balance_e=balance_e, **bounds)
    agg = ours.aggregate(kind, min_e=min_e, max_e=max_e, balance_e=balance_e)
    np.testing.assert_allclose(agg.tidy()["estimate"], agg_ref.att_by_event, rtol=RTOL)
    np.testing.assert_allclose(agg.tidy()["std_error"], agg_ref.se_by_event, rtol=RTOL)
    assert agg.overall_estimate == pytest.approx(agg_ref.overall_att, rel=RTOL)
    assert agg.overall_se == pytest.approx(agg_ref.overall_se, rel=RTOL)


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
@pytest.mark.parametrize("control", ["never", "notyet"])
def test_cells_and_group_aggregation_match_csdid(mpdta, capsys, method, control):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ATTgt(
            yname="lemp", gname="first.treat", idname="countyreal", tname="year",
            xformla="lemp~lpop", data=mpdta, control_group=_CONTROL[control],
        ).fit(est_method=method, bstrap=False)  # fmt: skip
        ref.aggte(typec="group", bstrap=False)
    capsys.readouterr()
    ours = _ours(mpdta, method, control, True, "varying", 0)
    np.testing.assert_allclose(ours.tidy()["estimate"], np.asarray(ref.results["att"]), rtol=RTOL)
    np.testing.assert_allclose(ours.tidy()["std_error"], np.asarray(ref.results["se"]), rtol=RTOL)
    group = ours.aggregate("group")
    np.testing.assert_allclose(group.tidy()["estimate"], ref.atte["att_egt"], rtol=RTOL)
    np.testing.assert_allclose(group.tidy()["std_error"], ref.atte["se_egt"], rtol=RTOL)
    assert group.overall_estimate == pytest.approx(ref.atte["overall_att"], rel=RTOL)
    assert group.overall_se == pytest.approx(ref.atte["overall_se"], rel=RTOL)
