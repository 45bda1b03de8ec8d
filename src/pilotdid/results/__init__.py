"""Frozen result types shared by estimators and the table renderers."""
