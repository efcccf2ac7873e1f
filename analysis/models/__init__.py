"""Estimators, one family per module."""
