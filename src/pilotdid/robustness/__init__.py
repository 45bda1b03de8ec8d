"""The robustness battery: placebo tests and randomization inference, sample exclusions.

``placebo`` (random units, timing or both, every draw estimated in one batched pass) with
``assignments`` (the draws) and ``placebo_result``; ``exclusion`` (Table 3's excluded-sample
columns); ``figures`` (the paper's Figure 1). Home of the coming sensitivity analysis
(HonestDiD) and specification curve. Layer: an estimator family.
"""
