"""The target engine: statuses (the method) and rules (targets applied to zones and to ALL)."""

from zonetrack.engine.rules import ALL, Inputs, assess

__all__ = ["ALL", "Inputs", "assess"]
