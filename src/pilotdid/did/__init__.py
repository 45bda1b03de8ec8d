"""Difference-in-differences estimators and their results.

``psm_did`` (the two-way fixed-effects DID on a matched sample: Table 3), ``event_study``
(leads and lags with binned or trimmed endpoints) with ``event_study_result`` and ``figures``.
This is the home of the heterogeneity-robust staggered estimators (Callaway-Sant'Anna,
Sun-Abraham, imputation, the Goodman-Bacon decomposition). Layer: the lowest estimator
family; imports ``estimation/`` and below. PSM-DID reads a matching result through the
:class:`~pilotdid.did.psm_did.MatchedSample` protocol, so ``did/`` never imports ``matching/``.
"""
