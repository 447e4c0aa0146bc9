"""Typed models of a plan file and of params.yaml: one model per rule, every key checked.

A plan file holds the plan as published: its id, names, issue date, base and target year, the
zone groups it names, and its targets, each with the plan's own sentence, the reading chosen where
the plan is ambiguous, its rule and thresholds, and how to show it. params.yaml holds the settings
of a run: the status bands and, per plan, the assessed years and a scenario (changes to the plan's
numbers). Nothing here reads files.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from zonetrack.indicators import SLUG
from zonetrack.registry import YEAR_RANGE

Year = Annotated[int, Field(ge=YEAR_RANGE[0], le=YEAR_RANGE[1])]
Slug = Annotated[str, StringConstraints(pattern=rf"^{SLUG}$", max_length=60)]
PlanId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*[a-z0-9]$", max_length=60)]
Level = Literal["national", "provincial"]
Text = Annotated[str, StringConstraints(max_length=2000)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
# Threshold keys that set a ceiling (不高于, 下降): lower is better, and a lower value is harder.
CEILING_KEYS = ("max", "max_rate")
# Keys that describe a target for people; changing them changes no verdict.
DESCRIPTIVE_KEYS = frozenset(
    {
        "text_zh",
        "text_en",
        "name_zh",
        "name_en",
        "reading",
        "unit",
        "display",
        "source",
        "issued",
        "issuer",
        "base_source",
    }
)


class _Target(BaseModel):
    """What every target has: the plan's sentence, a short name, the reading, how to show it.

    What a rule *is* lives here, as traits of its model that the engine and the reports read
    (never tuples of rule names): its label, the key of its threshold and which way is better,
    whether it compares like with like, whether its path is a growth rate, whether its threshold
    is a whole number, how it is drawn."""

    model_config = STRICT
    name_zh: Text = Field(min_length=1)
    name_en: Text = Field(min_length=1)
    text_zh: Text = Field(min_length=1)
    text_en: Text = Field(min_length=1)
    reading: Text = ""
    unit: Annotated[str, StringConstraints(max_length=20)] = ""
    display: Literal["number", "percent", "integer"] = "number"
    # A milestone inside the plan's period (力争到2022年… in a 2025 plan), assessed against it with the
    # same bands; blank: the plan's target year.
    target_year: Year | None = None

    # The rule's label in two languages.
    label: ClassVar[tuple[str, str]] = ("", "")
    # Only zones with values in the base year and in t count, on both sides (a doubling, a growth).
    like_for_like: ClassVar[bool] = False
    # Progress is a growth rate against the rate required (Eurostat); otherwise a straight line.
    growth_path: ClassVar[bool] = False
    # Met only against a base value (a multiple, a growth, a change), so no base is no_base_year.
    needs_base_for_met: ClassVar[bool] = False
    # The threshold is a whole number of things (zones, clusters, platforms).
    integer: ClassVar[bool] = False
    # The chart: the total's path over the years (with the required path), or the zones ranked.
    path_chart: ClassVar[bool] = True
    # The threshold keys, in the order tried: the first the target gives is its parameter.
    threshold_keys: ClassVar[tuple[str, ...]] = ()
    # It reads clusters.csv, not an indicator.
    reads_clusters: ClassVar[bool] = False
    # Its ALL row counts the zones that reach a zone-level threshold.
    counts_zones: ClassVar[bool] = False
    # It counts the region's zones on the registry, whose completeness the reports state.
    counts_registry: ClassVar[bool] = False
    # What a zone's bar shows in the chart of an `each` target: its value, its average growth
    # rate, or the change achieved since the base year.
    zone_metric: ClassVar[Literal["value", "rate", "change"]] = "value"
    # The threshold in words, 中文 and English, by the parameter the target sets (None: any): the
    # report fills in {sign} (≥ or ≤), {threshold} (with its unit), {rate}, {rate_en}, {k},
    # {min_change}, {unit}, {up_zh} / {up_en}, {level_zh}, {level}, {zones}, {share}, {each}.
    words: ClassVar[dict] = {None: ("{sign} {threshold}", "{sign} {threshold}")}

    def end_values(self, year: np.ndarray, base: np.ndarray, base_year: int, target_year: int):
        """The value that meets the target in each row's year, and the average growth required
        from the base year to reach it by the target year (NaN where no rate applies)."""
        threshold = np.full(len(base), self.bound)
        if not self.growth_path:
            return threshold, np.full(len(base), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            required = (threshold / np.where(base > 0, base, np.nan)) ** (1 / (target_year - base_year)) - 1
        return threshold, required

    def found(self, value: np.ndarray, base: np.ndarray, actual_rate: np.ndarray) -> np.ndarray:
        """The values of the parameter at which a row's status can change: a level or count is met
        from the threshold equal to its value down (or up, for a ceiling)."""
        return value

    def zone_view(self):
        """The target as each zone's row sees it (itself, but for zones_reaching)."""
        return self

    @property
    def parameter(self) -> str | None:
        """The key of the threshold this target sets (min, max, k, min_rate, ...); None for none."""
        return next((k for k in self.threshold_keys if getattr(self, k, None) is not None), None)

    @property
    def bound(self) -> float:
        """The threshold's value (1 for a target without one: a zone has a level or not)."""
        return 1.0 if self.parameter is None else float(getattr(self, self.parameter))

    @property
    def better(self) -> str:
        """Which way is better: higher, or lower (a ceiling `max:`, a decline `max_rate:`)."""
        return "lower" if self.parameter in CEILING_KEYS else "higher"

    @property
    def compares_like_for_like(self) -> bool:
        """Whether only zones with values in the base year and in t count, on both sides: a
        like-for-like rule, unless the plan states its own base (then the total is every zone's)."""
        return self.like_for_like and getattr(self, "base_value", None) is None

    @property
    def better_sign(self) -> float:
        """+1 where higher is better, −1 where lower is: comparisons multiply by it."""
        return -1.0 if self.better == "lower" else 1.0

    @property
    def indicators(self) -> list[str]:
        """The panel indicators the target reads (none for rules on the registry)."""
        return []

    @property
    def on_registry(self) -> bool:
        """Whether the target is assessed on the zone registry, not on statistics."""
        return False

    @property
    def sum_of_zones(self) -> bool:
        """Whether the target is a sum of the zones' amounts (a level, count or cluster total, not
        a ratio): each zone is a part of it, not a verdict of its own."""
        return False


def _one_bound(target, low: str, high: str):
    """Exactly one of the two threshold keys (`min` at least, `max` at most)."""
    given = [k for k in (low, high) if getattr(target, k) is not None]
    if len(given) != 1:
        raise ValueError(
            f"give one of `{low}` (at least) or `{high}` (at most)" + (", not both" if len(given) == 2 else "")
        )
    return target


class _OnZones(_Target):
    """A target on the zones' statistics: which zones (levels, groups) and whether each zone must
    meet it or their total."""

    scope: Literal["each", "total"]
    levels: list[Level] = Field(default=["national", "provincial"], min_length=1, max_length=2)
    groups: list[Slug] = Field(default=[], max_length=50)
    exclude_groups: list[Slug] = Field(default=[], max_length=50)
    indicator: Slug | None = None
    numerator: Slug | None = None
    denominator: Slug | None = None
    scale: FiniteFloat = Field(default=1.0, gt=0)
    # A base the plan states (8.1万亿元 in 2022) where the zone statistics do not hold it, with
    # where the plan says so; the total is measured against it.
    base_value: FiniteFloat | None = None
    base_source: Text = ""

    # A total of this rule is a sum of the zones' amounts (a level, a count), not a comparison.
    sums_amounts: ClassVar[bool] = False

    @property
    def sum_of_zones(self) -> bool:
        return self.scope == "total" and self.sums_amounts and not self.denominator

    @model_validator(mode="after")
    def _stated_base(self):
        if self.base_value is None:
            if self.base_source:
                raise ValueError("base_source without base_value: give the base the plan states, or neither")
            return self
        if not self.base_source.strip():
            raise ValueError("base_value needs base_source: where the plan states it (its section or sentence)")
        if self.scope != "total":
            raise ValueError("base_value is the base of a total: it needs `scope: total`")
        return self

    @model_validator(mode="after")
    def _one_indicator(self):
        if self.numerator or self.denominator:
            if not (self.numerator and self.denominator) or self.indicator:
                raise ValueError("give either indicator, or numerator and denominator (a ratio)")
        elif not self.indicator:
            raise ValueError("missing indicator (or numerator and denominator)")
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels lists a level twice")
        return self

    @property
    def indicators(self) -> list[str]:
        return [self.numerator, self.denominator] if self.numerator else [self.indicator]


class LevelTarget(_OnZones):
    """The value (or ratio) in year t reaches `min` (高新技术产业增加值达到5000亿元), or stays at or
    below `max` (不高于; 进入前30位 on a rank: `max: 30`)."""

    rule: Literal["level"]
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None

    label: ClassVar = ("水平", "level")
    growth_path: ClassVar = True
    sums_amounts: ClassVar = True
    threshold_keys: ClassVar = ("min", "max")

    @model_validator(mode="after")
    def _percent_is_a_fraction(self):
        _one_bound(self, "min", "max")
        if self.display == "percent" and abs(self.bound) > 1:
            raise ValueError(
                f"{self.parameter} {self.bound:g} is above 1 but the target is shown as a percent: did you mean "
                f"{self.bound / 100:g} ({self.bound:g} %)?"
            )
        return self


class MultipleTarget(_OnZones):
    """value_t ≥ k × value in the base year (翻一番: k = 2)."""

    rule: Literal["multiple"]
    k: FiniteFloat = Field(gt=0, le=1000)

    label: ClassVar = ("倍增", "multiple")
    like_for_like: ClassVar = True
    growth_path: ClassVar = True
    needs_base_for_met: ClassVar = True
    threshold_keys: ClassVar = ("k",)
    words: ClassVar = {None: ("≥ 基期的 {k} 倍", "≥ {k} × the base year")}

    def end_values(self, year, base, base_year, target_year):
        return base * self.k, np.full(len(base), self.k ** (1 / (target_year - base_year)) - 1)

    def found(self, value, base, actual_rate):
        with np.errstate(divide="ignore", invalid="ignore"):
            return value / base


def _rate(value: float | None) -> float | None:
    if value is not None and abs(value) > 1:
        raise ValueError(
            f"a rate of {value:g} is {value * 100:g} % a year: did you mean {value / 100:g} ({value:g} %)?"
        )
    return value


class GrowthTarget(_OnZones):
    """Average annual growth from the base year reaches `min_rate` (年均增长25%: 0.25), or stays at
    or below `max_rate` (下降3%/年: -0.03)."""

    rule: Literal["growth"]
    min_rate: FiniteFloat | None = None
    max_rate: FiniteFloat | None = Field(default=None, gt=-1)

    label: ClassVar = ("年均增长", "growth")
    like_for_like: ClassVar = True
    growth_path: ClassVar = True
    needs_base_for_met: ClassVar = True
    threshold_keys: ClassVar = ("min_rate", "max_rate")
    zone_metric: ClassVar = "rate"
    words: ClassVar = {None: ("年均增长 {sign} {rate}", "average growth {sign} {rate_en} a year")}

    def end_values(self, year, base, base_year, target_year):
        # Before T the target's end value, base·(1 + r)^(T − b): a rate over the whole period cannot
        # be met before the period ends; in and after T, the average rate from b to t reaches r.
        horizon = np.maximum(year, target_year) - base_year
        return base * (1 + self.bound) ** horizon, np.full(len(base), self.bound)

    def found(self, value, base, actual_rate):
        return actual_rate

    @field_validator("min_rate")
    @classmethod
    def _a_growth(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError(
                f"min_rate {value:g} is not a growth: a decline of {abs(value) * 100:g} % a year is written "
                f"`max_rate: {value:g}` (at most {value * 100:g} % a year)"
            )
        return _rate(value)

    @field_validator("max_rate")
    @classmethod
    def _a_rate(cls, value: float | None) -> float | None:
        return _rate(value)

    @model_validator(mode="after")
    def _one_rate(self):
        return _one_bound(self, "min_rate", "max_rate")


class CountTarget(_OnZones):
    """A count reaches `min` (每个省级高新区至少拥有2个以上省级科技企业孵化器), or stays at or below `max`."""

    rule: Literal["count"]
    min: FiniteFloat | None = Field(default=None, ge=0)
    max: FiniteFloat | None = Field(default=None, ge=0)

    label: ClassVar = ("数量", "count")
    integer: ClassVar = True
    sums_amounts: ClassVar = True
    threshold_keys: ClassVar = ("min", "max")

    @model_validator(mode="after")
    def _one(self):
        return _one_bound(self, "min", "max")


class ClustersTarget(_OnZones):
    """The number of clusters with revenue in [min_revenue, max_revenue) 亿元 reaches `min`."""

    rule: Literal["clusters"]
    indicator: Slug | None = None
    min: FiniteFloat = Field(ge=1)
    min_revenue: FiniteFloat = Field(ge=0)
    max_revenue: FiniteFloat | None = None

    label: ClassVar = ("产业集群", "clusters")
    reads_clusters: ClassVar = True
    integer: ClassVar = True
    sums_amounts: ClassVar = True
    threshold_keys: ClassVar = ("min",)

    @model_validator(mode="after")
    def _one_indicator(self):
        if self.indicator or self.numerator or self.denominator:
            raise ValueError("a clusters target reads clusters.csv, not an indicator")
        if self.max_revenue is not None and self.max_revenue <= self.min_revenue:
            raise ValueError(f"max_revenue {self.max_revenue:g} is not above min_revenue {self.min_revenue:g}")
        return self

    @property
    def indicators(self) -> list[str]:
        return []


class ChangeTarget(_OnZones):
    """The value moves at least `min_change` in `direction` from the base year (排名争先进位: a
    national evaluation rank, where lower is better, improves by at least one place)."""

    rule: Literal["change"]
    direction: Literal["higher", "lower"]
    min_change: FiniteFloat = Field(gt=0)
    best: FiniteFloat | None = None

    label: ClassVar = ("变化", "change")
    like_for_like: ClassVar = True
    needs_base_for_met: ClassVar = True
    path_chart: ClassVar = False
    threshold_keys: ClassVar = ("min_change",)

    zone_metric: ClassVar = "change"
    words: ClassVar = {None: ("{up_zh}至少 {min_change} {unit}", "{up_en} at least {min_change} {unit}")}

    @property
    def better(self) -> str:
        return self.direction

    def end_values(self, year, base, base_year, target_year):
        value = base + (-self.min_change if self.direction == "lower" else self.min_change)
        if self.best is not None:
            value = np.maximum(value, self.best) if self.direction == "lower" else np.minimum(value, self.best)
        return value, np.full(len(base), np.nan)

    def found(self, value, base, actual_rate):
        return base - value if self.direction == "lower" else value - base


class ZonesReachingTarget(_OnZones):
    """N zones, or a share of the zones in scope, reach a zone-level threshold (超千亿元高新区15个以上:
    `at_least: 1000, min: 15`; 80%的省级高新区…: `min_share: 0.8`)."""

    rule: Literal["zones_reaching"]
    scope: Literal["each"] = "each"
    at_least: FiniteFloat | None = None
    at_most: FiniteFloat | None = None
    min: int | None = Field(default=None, ge=1, le=100_000)
    min_share: FiniteFloat | None = Field(default=None, gt=0, le=1)

    label: ClassVar = ("达标园区数", "zones reaching")
    threshold_keys: ClassVar = ("min", "min_share")
    counts_zones: ClassVar = True
    words: ClassVar = {
        "min": ("≥ {zones} 个园区达到 {each}", "≥ {zones} zones at {each}"),
        "min_share": ("≥ {share} 的园区达到 {each}", "≥ {share} of the zones at {each}"),
    }

    @model_validator(mode="after")
    def _bounds(self):
        _one_bound(self, "at_least", "at_most")
        if (self.min is None) == (self.min_share is None):
            raise ValueError("give one of `min` (a number of zones) or `min_share` (a share of the zones in scope)")
        return self

    @property
    def integer(self) -> bool:  # type: ignore[override]
        return self.min is not None

    @property
    def zone_bound(self) -> tuple[float, str]:
        """The zone-level threshold and which way a zone meets it."""
        return (self.at_least, "higher") if self.at_least is not None else (self.at_most, "lower")

    def zone_view(self):
        """Each zone's row: a level at the zone-level threshold."""
        bound, better = self.zone_bound
        return LevelTarget.model_construct(
            rule="level",
            scope="each",
            indicator=self.indicator,
            numerator=self.numerator,
            denominator=self.denominator,
            scale=self.scale,
            min=bound if better == "higher" else None,
            max=bound if better == "lower" else None,
        )


class ZoneLevelTarget(_Target):
    """A named zone has a level by the year (推动怀化高新区升级为国家高新区)."""

    rule: Literal["zone_level"]
    zone: Slug
    level: Level

    label: ClassVar = ("园区级别", "zone level")
    path_chart: ClassVar = False
    words: ClassVar = {None: ("升级为{level_zh}", "{level}")}

    @property
    def on_registry(self) -> bool:
        return True


class _RegistryCount(_Target):
    """A count of the region's zones on the registry, over all of them or over the named zone
    groups or cities (市州)."""

    groups: list[Slug] = Field(default=[], max_length=50)
    cities: list[Text] = Field(default=[], max_length=100)

    # A count of zones on the registry, which says how complete it is (registry_coverage.csv).
    counts_registry: ClassVar[bool] = True

    @property
    def on_registry(self) -> bool:
        return True


class ZonesApprovedTarget(_RegistryCount):
    """At least `min` zones reach a level after the base year (创建一批国家级高新区)."""

    rule: Literal["zones_approved"]
    level: Level
    min: int = Field(ge=1, le=1000)

    label: ClassVar = ("新设园区", "zones approved")
    integer: ClassVar = True
    threshold_keys: ClassVar = ("min",)


class ZonesAtLevelTarget(_RegistryCount):
    """At least `min` zones have a level in the year (国家高新区数量突破10家: 11 or more)."""

    rule: Literal["zones_at_level"]
    level: Level
    min: int = Field(ge=1, le=1000)

    label: ClassVar = ("园区数量", "zones at a level")
    integer: ClassVar = True
    threshold_keys: ClassVar = ("min",)


class CitiesCoveredTarget(_RegistryCount):
    """Every city of the region (or each city listed) has a zone of the level by the year
    (省级高新区市州全覆盖); `groups` narrow the zones that count."""

    rule: Literal["cities_covered"]
    level: Level

    label: ClassVar = ("市州覆盖", "cities covered")
    integer: ClassVar = True


class FacilitiesTarget(_Target):
    """At least `min` facilities of a kind listed in facilities.csv exist by the year
    (四大科技创新服务平台)."""

    rule: Literal["facilities"]
    kind: Slug
    min: int = Field(ge=1, le=1000)

    label: ClassVar = ("平台设施", "facilities")
    integer: ClassVar = True
    path_chart: ClassVar = False
    threshold_keys: ClassVar = ("min",)

    @property
    def on_registry(self) -> bool:
        return True


Target = Annotated[
    LevelTarget
    | MultipleTarget
    | GrowthTarget
    | CountTarget
    | ClustersTarget
    | ChangeTarget
    | ZonesReachingTarget
    | ZoneLevelTarget
    | ZonesApprovedTarget
    | ZonesAtLevelTarget
    | CitiesCoveredTarget
    | FacilitiesTarget,
    Field(discriminator="rule"),
]
RULE_MODELS = {
    model.model_fields["rule"].annotation.__args__[0]: model
    for model in (
        LevelTarget,
        MultipleTarget,
        GrowthTarget,
        CountTarget,
        ClustersTarget,
        ChangeTarget,
        ZonesReachingTarget,
        ZoneLevelTarget,
        ZonesApprovedTarget,
        ZonesAtLevelTarget,
        CitiesCoveredTarget,
        FacilitiesTarget,
    )
}


class Plan(BaseModel):
    """A plan as published (or as a scenario changes it)."""

    model_config = STRICT
    id: PlanId
    name_zh: Text = Field(min_length=1)
    name_en: Text = Field(min_length=1)
    issued: Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}){0,2}$")]
    issuer: Text = ""
    source: Text = Field(min_length=1)
    # The plan's region: a province as the registry writes it (湖南省), or 全国 for a national plan.
    # Every rule's zones are the region's zones.
    region: Annotated[str, StringConstraints(min_length=2, max_length=20)]
    base_year: Year
    target_year: Year
    groups: dict[Slug, Annotated[list[Slug], Field(min_length=1, max_length=500)]] = Field(default={}, max_length=50)
    targets: dict[Slug, Target] = Field(min_length=1, max_length=200)

    @field_validator("target_year")
    @classmethod
    def _after_the_base_year(cls, target_year: int, info: ValidationInfo) -> int:
        # On target_year (validated after base_year), so the error points at its line.
        base_year = info.data.get("base_year")
        if base_year is None:
            return target_year
        if target_year <= base_year:
            raise ValueError(f"target_year {target_year} is not after base_year {base_year} (are they swapped?)")
        if target_year - base_year > 30:
            raise ValueError(f"a plan of {target_year - base_year} years: check base_year and target_year")
        return target_year

    @model_validator(mode="after")
    def _milestones(self):
        for target_id, target in self.targets.items():
            year = target.target_year
            if year is not None and not self.base_year < year <= self.target_year:
                raise ValueError(
                    f"targets.{target_id}.target_year: {year} is outside the plan's years "
                    f"{self.base_year + 1}-{self.target_year}"
                )
        return self

    def end_year(self, target) -> int:
        """The year a target is assessed against: its milestone, or the plan's target year."""
        return target.target_year or self.target_year

    @model_validator(mode="after")
    def _groups(self):
        for target_id, target in self.targets.items():
            for key in ("groups", "exclude_groups"):
                for group in getattr(target, key, []):
                    if group not in self.groups:
                        raise ValueError(f"targets.{target_id}.{key}: no group '{group}' under groups")
        return self

    @property
    def years(self) -> list[int]:
        """The years the plan covers after its base year."""
        return list(range(self.base_year + 1, self.target_year + 1))


class StatusSettings(BaseModel):
    """Bands of the ratio R of actual to required growth, the tolerance of every comparison, and
    the coverage below which a verdict on all zones is not given."""

    model_config = STRICT
    on_track: FiniteFloat = Field(default=0.95, gt=0, le=2)
    needs_acceleration: FiniteFloat = Field(default=0.6, ge=0, le=2)
    tolerance: FiniteFloat = Field(default=1e-9, ge=0, le=1e-3)
    min_coverage: FiniteFloat = Field(default=0.8, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self):
        if self.needs_acceleration >= self.on_track:
            raise ValueError(
                f"needs_acceleration {self.needs_acceleration:g} must be below on_track {self.on_track:g} "
                "(are the bands inverted?)"
            )
        return self


class PlanRun(BaseModel):
    """How one plan is run: which years, and which of its numbers a scenario changes."""

    model_config = STRICT
    years: Literal["auto"] | Annotated[list[Year], Field(min_length=1, max_length=66)] = "auto"
    scenario: dict = Field(default={})

    @field_validator("years")
    @classmethod
    def _distinct(cls, years):
        if isinstance(years, list) and len(set(years)) != len(years):
            twice = sorted({y for y in years if years.count(y) > 1})
            raise ValueError(f"years listed twice: {twice}")
        return years


class Uncertainty(BaseModel):
    """The evaluation's Monte Carlo over the method's uncertain choices."""

    model_config = STRICT
    base_samples: Annotated[int, Field(ge=8, le=1 << 16)] = 1024  # Sobol' design: N·(D + 2) runs
    # SALib samples weights in [1 − spread, 1 + spread]: a spread of 0 is no interval to sample.
    weight_spread: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 0.25
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 2017  # numpy's seeds are 0 … 2³² − 1

    @model_validator(mode="after")
    def _power_of_two(self):
        if self.base_samples & (self.base_samples - 1):
            raise ValueError(f"base_samples {self.base_samples} is not a power of 2 (Sobol' sequences need one)")
        return self


class EvaluationSettings(BaseModel):
    """The performance evaluation's method: each choice the Handbook and COINr offer, as a setting."""

    model_config = STRICT
    treatment: Literal["winsorise", "none"] = "winsorise"
    normalisation: Literal["minmax", "zscore", "rank", "distance_to_best"] = "minmax"
    weighting: Literal["given", "equal"] = "given"
    aggregation: Literal["arithmetic", "geometric"] = "arithmetic"
    min_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.7
    # A zone is ranked only when every dimension has at least this share of its indicators (COINr
    # applies its data threshold per aggregation group): never with a whole dimension missing.
    min_dimension_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.5
    # A class-year's ranking is published only when at least this share of the framework's dimensions
    # have data (an indicator with a value for some zone) and this share of the class's zones are
    # ranked; below either, the page says so and publishes no ranking and no rank change.
    min_dimensions_with_data: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.8
    min_zones_ranked: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 0.6
    # An index comparable over years: every year's indicators min-max normalised with the goalposts
    # (each indicator's minimum and maximum within the class) of this year, so that "the index grew by
    # x %" compares like with like. None: no comparable index.
    comparable_from: Annotated[int, Field(ge=1949, le=2100)] | None = None
    uncertainty: Uncertainty = Uncertainty()


class Params(BaseModel):
    """params.yaml: the settings of a run."""

    model_config = STRICT
    status: StatusSettings = StatusSettings()
    plans: dict[PlanId, PlanRun] = Field(min_length=1, max_length=50)
    evaluation: EvaluationSettings = EvaluationSettings()
