"""zonetrack: assess high-tech zones against the quantitative targets of a plan."""

__version__ = "0.1.0"
