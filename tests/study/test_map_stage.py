"""The study's map (figure_map): drawn from city codes or data.lon/data.lat, else skipped aloud."""

import numpy as np
import pandas as pd
import pytest

from pilotdid.errors import PilotdidWarning, StudyFileError
from pilotdid.study.config import load_study
from pilotdid.study.pipeline import run_study
from tests.study.conftest import small_panel


def _edit(project, old, new):
    path = project / "study.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_study(path)


def _fast(project):
    return _edit(project, "draws = 20", "enabled = false")


def test_units_without_points_skip_the_map_with_a_message(project, tmp_path):
    result = run_study(_fast(project))
    with pytest.warns(PilotdidWarning, match="figure_map not drawn.*data.lon and data.lat"):
        keys = [key for key, _ in result.figures()]
    assert "figure_map" not in keys and "figure2" in keys
    out = result.write_report(tmp_path / "out")  # the message reaches the report
    assert "figure_map not drawn" in (out / "report.html").read_text(encoding="utf-8")


def test_data_lon_lat_draw_the_map(project):
    panel = small_panel()
    rng = np.random.default_rng(1)
    seats = pd.DataFrame({"city": range(1, 25), "lon": rng.uniform(100, 120, 24),
                          "lat": rng.uniform(25, 40, 24)})  # fmt: skip
    panel.merge(seats, on="city").to_csv(project / "panel.csv", index=False)
    _fast(project)
    study = _edit(project, 'time = "year"\n', 'time = "year"\nlon = "lon"\nlat = "lat"\n')
    result = run_study(study)
    figures = dict(result.figures())
    fig = figures["figure_map"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Adopted 2016 (n = 2)", "Adopted 2017 (n = 2)", "Never treated (n = 20)"]
    assert not any("figure_map" in m for m in result.messages)


def test_lon_without_lat_is_a_study_file_problem(project):
    with pytest.raises(StudyFileError, match="data.lat: give data.lon and data.lat together"):
        _edit(project, 'time = "year"\n', 'time = "year"\nlon = "lon"\n')


def test_a_missing_lon_column_is_named(project):
    _fast(project)
    study = _edit(project, 'time = "year"\n', 'time = "year"\nlon = "lng"\nlat = "lat"\n')
    from pilotdid.study.prepare import prepare_panel

    with pytest.raises(StudyFileError) as info:
        prepare_panel(study)
    assert any(
        p.startswith("data.lon: column 'lng' is not in the data") for p in info.value.problems
    )
