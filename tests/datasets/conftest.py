import numpy as np
import pytest

CONTROLS = ["lnHCL", "FIN", "lnPERgdp", "HUM", "MAR", "lnAOL", "lnFINA"]


def _sweep(matrix, units, years, tol=1e-13, max_iter=10_000):
    """Two-way demeaning by alternating projections (exact at convergence, any balance)."""
    unit_n = np.bincount(units)[:, None]
    year_n = np.bincount(years)[:, None]
    out = matrix.copy()
    for _ in range(max_iter):
        before = out.copy()
        out -= np.stack([np.bincount(units, c) for c in out.T], 1)[units] / unit_n[units]
        out -= np.stack([np.bincount(years, c) for c in out.T], 1)[years] / year_n[years]
        if np.max(np.abs(out - before)) < tol:
            return out
    raise RuntimeError("demeaning did not converge")


def twfe_coefficients(data, outcome, regressors):
    """OLS of ``outcome`` on ``regressors`` with city and year fixed effects; complete cases."""
    frame = data[[outcome, *regressors, "code", "year"]].dropna()
    units = np.unique(frame["code"].to_numpy(), return_inverse=True)[1]
    years = np.unique(frame["year"].to_numpy(), return_inverse=True)[1]
    values = frame[[outcome, *regressors]].to_numpy(float)
    scale = values.std(axis=0)  # FIN is ~1e-4: scale columns for a well-conditioned solve
    swept = _sweep(values / scale, units, years)
    beta = np.linalg.lstsq(swept[:, 1:], swept[:, 0], rcond=None)[0] * scale[0] / scale[1:]
    return dict(zip(regressors, beta, strict=True))


@pytest.fixture(scope="session")
def twfe():
    return twfe_coefficients


@pytest.fixture(scope="session")
def controls():
    return list(CONTROLS)
