"""dirtrack: directives become tracked task graphs, escalated and reviewed."""

__version__ = "0.1.0"
