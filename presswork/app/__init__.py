"""What users run: the command line and the dashboard. Nothing imports this package."""
