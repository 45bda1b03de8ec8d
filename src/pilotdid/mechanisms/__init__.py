"""mechanisms subpackage of pilotdid."""
