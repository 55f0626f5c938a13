"""Reporters: they format findings and stats, and compute nothing."""
