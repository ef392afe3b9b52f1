"""Hostile inputs: every bad input gets a clear error, nothing is lost, data is never code."""
