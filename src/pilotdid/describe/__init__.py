"""describe subpackage of pilotdid."""
