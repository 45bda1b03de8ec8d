"""estimation subpackage of pilotdid."""
