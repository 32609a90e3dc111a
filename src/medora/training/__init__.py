"""Offline training of the learned parts (never imported by the runtime: see the layer contracts)."""
