"""A plan against the data it names: indicators in the dictionary, zones in the registry,
facility kinds in facilities.csv. Errors point at the plan file's lines."""

from __future__ import annotations

import difflib

import pandas as pd

from zonetrack.plans.model import Plan
from zonetrack.plans.yamlfile import YamlDocument
from zonetrack.problems import ERROR, Problem


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _no_zone(zone: str, zones: list[str], everywhere: list[str], region: str) -> str:
    if zone in everywhere:
        return f"zone '{zone}' is not in the plan's region {region}: a plan sees its region's zones only"
    return f"no zone '{zone}' in the registry (zones.csv, national_zones.csv){_hint(zone, zones)}"


def reference_problems(
    plan: Plan, document: YamlDocument, registry: pd.DataFrame, dictionary: pd.DataFrame, facilities: pd.DataFrame
) -> list[Problem]:
    """Every name in the plan that the data does not have."""
    from zonetrack.registry import COUNTRY, in_region, provinces

    label = document.path.as_posix()
    regions = [COUNTRY, *provinces(registry)]
    if plan.region not in regions:
        hint = _hint(plan.region, regions)
        message = f"region '{plan.region}' is not 全国 nor a province the registry names{hint}"
        return [Problem(label, document.line_of(("region",)), "region", ERROR, message)]
    everywhere = sorted(registry["zone_id"])
    registry = in_region(registry, plan.region)
    indicators = sorted(dictionary["id"])
    kinds = dict(zip(dictionary["id"], dictionary["kind"], strict=True))
    units = dict(zip(dictionary["id"], dictionary["unit"], strict=True))
    zones = sorted(registry["zone_id"])
    cities = sorted({c for c in registry["city"] if c})
    problems = []

    def add(keys: tuple, message: str) -> None:
        problems.append(Problem(label, document.line_of(keys), ".".join(map(str, keys)), ERROR, message))

    for group, members in plan.groups.items():
        for index, zone in enumerate(members):
            if zone not in zones:
                add(("groups", group, index), _no_zone(zone, zones, everywhere, plan.region))
    for target_id, target in plan.targets.items():
        for key in ("indicator", "numerator", "denominator"):
            name = getattr(target, key, None)
            if name and name not in indicators:
                add(("targets", target_id, key), f"no indicator '{name}' in indicators.csv{_hint(name, indicators)}")
        if getattr(target, "zone", None) and target.zone not in zones:
            add(("targets", target_id, "zone"), _no_zone(target.zone, zones, everywhere, plan.region))
        for index, city in enumerate(getattr(target, "cities", []) or []):
            if city not in cities:
                add(
                    ("targets", target_id, "cities", index),
                    f"no city '{city}' among {plan.region}'s zones{_hint(city, cities)}",
                )
        if getattr(target, "kind", None) and target.kind not in set(facilities["kind"]):
            add(("targets", target_id, "kind"), f"facilities.csv lists no facility of kind '{target.kind}'")
        mismatch = _unit_mismatch(target, units)
        if mismatch:
            add(("targets", target_id, "unit"), mismatch)
        backwards = _backwards_rank(target, kinds)
        if backwards:
            add(("targets", target_id, backwards[0]), backwards[1])
    return problems


def _unit_mismatch(target, units: dict[str, str]) -> str | None:
    """Why a target's `unit` contradicts its indicator's (万元 on an indicator kept in 亿元 would show
    thresholds 10,000 times off), or None. Only where the target's value is the indicator's own: a
    count of zones reaching a level is counted in 家."""
    from zonetrack.indicators import UNITS

    indicator = getattr(target, "indicator", None)
    unit = getattr(target, "unit", None)
    if not indicator or not unit or target.counts_zones or indicator not in units:
        return None
    own = units[indicator]
    if unit == own or unit not in UNITS or own not in UNITS:
        return None
    (dimension, factor), (own_dimension, own_factor) = UNITS[unit], UNITS[own]
    if dimension == own_dimension and factor == own_factor:
        return None  # 家 and 个 both count items
    if dimension != own_dimension:
        return f"unit '{unit}' is not a unit of {indicator}, which is kept in {own}: write the target in {own}"
    ratio = own_factor / factor
    times = f"1 {own} = {ratio:,g} {unit}" if ratio >= 1 else f"1 {unit} = {1 / ratio:,g} {own}"
    return (
        f"unit '{unit}' but {indicator} is kept in {own} ({times}): the plan's thresholds are read in {own}; "
        f"convert them and write `unit: {own}`"
    )


def _backwards_rank(target, kinds: dict[str, str]) -> tuple[str, str] | None:
    """(key, message) where `min:` (at least) stands on an indicator where lower is better (a rank),
    which reads the plan backwards; None otherwise."""
    indicator = getattr(target, "indicator", None)
    if not indicator or kinds.get(indicator) != "rank":
        return None
    # The key that sets "at least" on the indicator's own value: a level's or count's `min`, or the
    # zone-level `at_least` of a count of zones reaching it.
    key = "at_least" if target.counts_zones else "min"
    value = getattr(target, key, None)
    if value is None:  # multiple, growth, change: no lower bound on the value itself
        return None
    ceiling = "at_most" if key == "at_least" else "max"
    return key, (
        f"`{key}: {value:g}` asks for a rank of at least {value:g}, but {indicator} is a rank, where lower is "
        f"better: 前{value:g}位 (top {value:g}) is `{ceiling}: {value:g}`"
    )
