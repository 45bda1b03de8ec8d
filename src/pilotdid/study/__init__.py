"""study subpackage of pilotdid."""
