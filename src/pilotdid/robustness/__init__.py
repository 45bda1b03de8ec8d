"""Robustness battery: placebo tests, event studies and sample exclusions."""
