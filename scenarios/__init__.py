"""Scenario files: organisations, barriers and interventions (see docs/scenarios.md)."""
