"""Capacity scenarios: what-if files, a rolling weekly simulation with the real model,
reports and parallel sweeps."""
