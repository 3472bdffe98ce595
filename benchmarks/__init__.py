"""Benchmarks for dirtrack at national scale: ``python -m benchmarks.run [--quick]``."""
