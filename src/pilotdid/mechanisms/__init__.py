"""Mechanisms, heterogeneity and moderation (the paper's Tables 4 and 5), with their results.

``mediation`` (D -> M and the three-step model with Sobel and a batched cluster bootstrap),
``heterogeneity`` (split samples, the fully interacted pooled difference test, the batched
Fisher permutation test), ``moderation`` (centred interaction, marginal effects); ``grouping``,
``pooled``, ``permutation`` and ``bootstrap`` are their building blocks; ``*_result`` modules
hold the frozen results; ``tables`` and ``figures`` lay them out.
Layer: an estimator family, beside ``matching/``, ``robustness/`` and ``descriptives/``.
"""
