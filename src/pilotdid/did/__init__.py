"""Difference-in-differences estimators and their results: TWFE/PSM-DID, the event study, and the home of the staggered (heterogeneity-robust) estimators."""
