"""The estimation core: fixed-effects OLS and everything it is built from.

Layer: above ``panel/``, below every estimator family. Modules, in data-flow order:
``formula`` (parse fixest-style formulas, build them from column *names*), ``design``
(settle the sample and build y, X, weights, fixed effects), ``fixef``/``demean`` (absorb
fixed effects exactly), ``ols`` (solve, drop collinear columns), ``vcov`` (iid, HC1, CRV1 and
fixest's small-sample rules), ``feols`` (the public entry point) and ``result``
(:class:`FeolsResult`), ``summary`` (the :class:`ModelSummary` protocol tables read),
``wald`` (joint F tests), and the batched engines that fit hundreds of regressions at once:
``batched`` (n x R blocks), ``unit_batched`` (per-unit tables for placebo draws) and
``moments`` (per-unit cross-products for bootstrap and permutation draws); ``randomization``
(the one randomization-inference p-value of placebo and permutation tests).
"""
