"""Calendly API v2 endpoints, one module per resource family."""
