"""robustness subpackage of pilotdid."""
