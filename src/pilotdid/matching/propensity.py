"""Propensity-score models: a logit or probit of treatment on covariates.

The fitter is :func:`pilotdid.estimation.binary.fit_binary`; this module checks the
covariates, names the model's failures in matching's terms, and exposes the fit as
:class:`PropensityFit`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotdid.errors import EstimationError, MatchingError
from pilotdid.estimation.binary import BinaryFit
from pilotdid.estimation.binary import fit_binary as _fit_binary
from pilotdid.options import ScoreModel, deprecated_arguments, validate_option

__all__ = ["PropensityFit", "fit_binary", "fit_propensity"]

#: The fitted score model (the estimation layer's binary-response fit).
PropensityFit = BinaryFit


def fit_binary(
    X: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...],
    model: str = "logit",
    weights: np.ndarray | None = None,
) -> PropensityFit:
    """Fit the propensity model; its failures are :class:`MatchingError` naming the model.

    See :func:`pilotdid.estimation.binary.fit_binary` for the parameters.
    """
    try:
        return _fit_binary(X, y, names, model, weights)
    except EstimationError as exc:
        # the binary model's outcome is the treatment here
        message = str(exc).replace("the outcome", "the treatment")
        raise MatchingError(f"propensity model: {message}") from exc


def check_covariates(X: np.ndarray, names: list[str], where: str = "") -> None:
    """Raise a clear error for a constant or collinear covariate (X without the constant)."""
    sd = X.std(axis=0) if len(X) else np.zeros(X.shape[1])
    for j, name in enumerate(names):
        if not np.isfinite(sd[j]) or sd[j] == 0:
            raise MatchingError(
                f"covariate {name!r} is constant{where} (value {X[0, j]!r} in every row); "
                "remove it from covariates."
            )
    # Gram matrix of the standardised covariates (centring absorbs the constant); a column whose
    # Schur complement on the preceding ones vanishes is a linear combination of them
    Z = (X - X.mean(axis=0)) / sd
    G = Z.T @ Z / len(X)
    bad: list[str] = []
    keep: list[int] = []
    for j, name in enumerate(names):
        resid = G[j, j]
        if keep:
            g = G[keep][:, [j]]
            resid -= float((g.T @ np.linalg.solve(G[keep][:, keep], g))[0, 0])
        if resid < 1e-10:
            bad.append(name)
        else:
            keep.append(j)
    if bad:
        raise MatchingError(
            f"covariates are collinear{where}: {', '.join(map(repr, bad))} is a linear "
            "combination of the others; remove it from covariates."
        )


@deprecated_arguments(("data", "treatment", "covariates", "model", "weights"))
def fit_propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: list[str],
    *,
    model: ScoreModel = "logit",
    weights: str | None = None,
) -> PropensityFit:
    """Fit the propensity score ``P(treatment = 1 | covariates)`` on a DataFrame.

    Rows with a missing treatment or covariate are left out (count them with
    ``len(data) - fit.nobs``); :func:`pilotdid.match` reports them.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (or unit-year).
    treatment : str
        0/1 treatment column.
    covariates : list of str
        Covariate columns (a constant is added).
    model : {"logit", "probit"}, default "logit"
        The link (psmatch2's default is probit, MatchIt's and teffects' is logit).
    weights : str, optional
        Column of Stata-style importance weights.

    Returns
    -------
    PropensityFit

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=200)})
    >>> df["d"] = (df.x + rng.normal(size=200) > 0.5).astype(int)
    >>> fit = fit_propensity(df, "d", ["x"])
    >>> fit.names
    ('x', '_cons')
    """
    validate_option(model, ScoreModel, "model", MatchingError)
    cols = [treatment, *covariates] + ([weights] if weights else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MatchingError(f"column {missing[0]!r} is not in the data.")
    sub = data[cols].dropna()
    y = sub[treatment].to_numpy(dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise MatchingError(f"treatment {treatment!r} must be coded 0/1.")
    X = sub[covariates].to_numpy(dtype=float)
    check_covariates(X, covariates)
    w = sub[weights].to_numpy(dtype=float) if weights else None
    Xc = np.column_stack([X, np.ones(len(X))])
    return fit_binary(Xc, y, (*covariates, "_cons"), model, w)
