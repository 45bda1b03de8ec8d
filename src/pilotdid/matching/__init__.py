"""matching subpackage of pilotdid."""
