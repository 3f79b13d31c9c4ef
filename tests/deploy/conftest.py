"""Deployment tests: the image's entry script, probes and compose file, without Docker."""
