"""Propensity-score matching with psmatch2/MatchIt conventions, and its result types.

``propensity`` (logit/probit score), ``engine``/``nearest``/``radius``/``kernel``/
``mahalanobis``/``support`` (the matching methods), ``panel_modes`` (pooled, by-year and
base-year matching of panels), ``api`` (:func:`pilotdid.match`), ``result``
(:class:`MatchResult` with psmatch2 columns), ``balance`` (the pstest table) and ``figures``;
``effect``/``effect_result``/``ai_core``/``neighbours``: the ATT/ATE/ATC of a nearest-neighbour
match with Abadie-Imbens (2006) or standard errors and the 2011 bias correction.
Layer: an estimator family; imports ``did/`` (for ``MatchResult.did()``), ``tables/``,
``estimation/`` and below, never the report or the study.
"""
