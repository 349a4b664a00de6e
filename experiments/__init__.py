"""Experiments: running the model, replications and sweeps, and writing results."""
