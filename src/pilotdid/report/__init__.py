"""report subpackage of pilotdid."""
