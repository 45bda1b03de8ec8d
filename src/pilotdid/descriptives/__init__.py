"""Descriptive tables: summary statistics (Table 1), correlations and VIF (Table 2)."""
