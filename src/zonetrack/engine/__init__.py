"""The target engine: statuses (the method) and rules (targets applied to zones and to ALL)."""

__all__ = ["ALL", "Inputs", "assess"]


def __getattr__(name: str):
    # The rules (pandas, the plans' models) are imported when first asked for, not with the package:
    # the statuses (engine.status) are read by pages, such as the index, that apply no rule.
    if name in __all__:
        from zonetrack.engine import rules

        return getattr(rules, name)
    raise AttributeError(f"module 'zonetrack.engine' has no attribute '{name}'")
