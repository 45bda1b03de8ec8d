import pytest

from pilotdid.tables.etable import etable
from tests.tables.paper import table3_models


@pytest.fixture
def models():
    return table3_models()


@pytest.fixture
def table3(models):
    return etable(
        models,
        title="Table 3. PSM-DID Estimation Results",
        fixef_labels={"city": "City Fe", "year": "Year Fe"},
    )
