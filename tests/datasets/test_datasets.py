"""Public access to the built-in data: ``pilotdid.datasets``."""

import subprocess
import sys

import pilotdid
from pilotdid import datasets
from pilotdid.panel.rosters import bigdata_roster_table, cities_table


def test_reachable_as_attribute_of_the_package():
    assert pilotdid.datasets is datasets
    assert "datasets" in pilotdid.__all__
    assert pilotdid.datasets.demo_panel(seed=1).data.shape[0] == 3025


def test_attribute_access_works_in_a_fresh_interpreter():
    code = "import pilotdid; print(len(pilotdid.datasets.demo_panel().data))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3025"


def test_public_functions_match_the_loaders():
    assert datasets.cities(2012).equals(cities_table(2012))
    assert datasets.bigdata_roster("cities", 2016).equals(bigdata_roster_table("cities", 2016))
    assert datasets.bigdata_roster().equals(bigdata_roster_table("provinces", 2017))
