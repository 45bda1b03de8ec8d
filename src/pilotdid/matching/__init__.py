"""Propensity-score matching with psmatch2/MatchIt conventions, and its result types.

``propensity`` (logit/probit score), ``engine``/``nearest``/``radius``/``kernel``/
``mahalanobis``/``support`` (the matching methods), ``panel_modes`` (pooled, by-year and
base-year matching of panels), ``api`` (:func:`pilotdid.match`), ``result``
(:class:`MatchResult` with psmatch2 columns), ``balance`` (the pstest table) and ``figures``.
Layer: an estimator family; imports ``did/`` (for ``MatchResult.did()``), ``tables/``,
``estimation/`` and below, never the report or the study.
"""
