"""panel subpackage of pilotdid."""
