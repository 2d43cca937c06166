"""Raises SystemExit while being imported."""
raise SystemExit("bye from import")
