"""Evaluation frameworks as files (frameworks/<class>.yaml), checked like plans, and the evaluation's
method settings (params.yaml, `evaluation:`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zonetrack.indicators import load_dictionary
from zonetrack.plans.model import EvaluationSettings, Slug, Uncertainty
from zonetrack.plans.yamlfile import YamlDocument
from zonetrack.problems import ERROR, Problem, ProblemsError

STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)
Weight = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
NORMALISATIONS = ("minmax", "zscore", "rank", "distance_to_best")
__all__ = ["EvaluationSettings", "Framework", "Uncertainty", "framework_problems", "load_framework"]
AGGREGATIONS = ("arithmetic", "geometric")


class Indicator(BaseModel):
    """An indicator of the framework: a dictionary indicator (a total, a level), a ratio of two, the
    growth of one over the previous year (%) or its increment (the absolute change); its direction
    and weight within its dimension; its definition and source as the page shows them."""

    model_config = STRICT
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    indicator: Slug | None = None
    ratio: Annotated[list[Slug], Field(min_length=2, max_length=2)] | None = None
    growth: Slug | None = None
    increment: Slug | None = None
    definition: str = ""  # blank: the page describes it from the dictionary's names
    source: str = ""  # blank: the zones' statistics (data/raw/stats)
    scale: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    unit: str = ""
    direction: Literal["higher", "lower"] = "higher"
    weight: Weight

    @model_validator(mode="after")
    def _one_source(self):
        given = [x for x in (self.indicator, self.ratio, self.growth, self.increment) if x]
        if len(given) != 1:
            raise ValueError("give exactly one of indicator, ratio [numerator, denominator], growth, increment")
        return self

    @property
    def sources(self) -> list[str]:
        """The dictionary indicators it reads."""
        return self.ratio or [self.indicator or self.growth or self.increment]


class Dimension(BaseModel):
    """A dimension (一级指标): its indicators (二级指标) and its weight."""

    model_config = STRICT
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    weight: Weight
    indicators: dict[Slug, Indicator] = Field(min_length=1, max_length=50)


class Framework(BaseModel):
    """One class's framework (national or provincial zones)."""

    model_config = STRICT
    id: Slug
    zone_class: Literal["national", "provincial"] = Field(alias="class")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    weights: Literal["illustrative", "official"]
    # At most this many tiers (梯队 A, B, C…), drawn only where the rank intervals separate.
    tiers: Annotated[int, Field(ge=1, le=6)] = 3
    dimensions: dict[Slug, Dimension] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_indicators(self):
        seen: dict[str, str] = {}
        for dimension_id, dimension in self.dimensions.items():
            for indicator_id in dimension.indicators:
                if indicator_id in seen:
                    raise ValueError(f"indicator {indicator_id} is in {seen[indicator_id]} and {dimension_id}")
                seen[indicator_id] = dimension_id
        return self

    @property
    def indicators(self) -> list[tuple[str, str, Indicator]]:
        """(dimension id, indicator id, indicator) in the framework's order."""
        return [(d, i, x) for d, dim in self.dimensions.items() for i, x in dim.indicators.items()]


def load_framework(path: Path) -> tuple[Framework, YamlDocument]:
    """A framework file, checked; its errors at their lines; its id must be its file name."""
    from zonetrack.plans import check_id, load_model

    framework, document = load_model(path, Framework, "a framework file")
    check_id(framework.id, path, document)
    return framework, document


def framework_problems(framework: Framework, document: YamlDocument, known: set[str]) -> list[Problem]:
    """Indicators the framework reads that the dictionary does not have."""
    problems = []
    for dimension_id, indicator_id, indicator in framework.indicators:
        for source in indicator.sources:
            if source not in known:
                keys = ("dimensions", dimension_id, "indicators", indicator_id)
                problems.append(
                    Problem(
                        document.path.as_posix(),
                        document.line_of(keys),
                        ".".join(keys),
                        ERROR,
                        f"no indicator '{source}' in indicators.csv",
                    )
                )
    return problems


def load_frameworks(folder: Path, raw: Path) -> tuple[list, list[Problem]]:
    """Every framework file of a folder, checked, with the indicators each reads against the
    dictionary: the frameworks that loaded, and every problem found."""
    known = set(load_dictionary(raw / "indicators.csv")["id"])
    frameworks, problems, of_class = [], [], {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            framework, document = load_framework(path)
        except ProblemsError as error:
            problems += error.problems
            continue
        if framework.zone_class in of_class:
            # Each zone would be ranked twice in its class, every count doubled.
            message = (
                f"a second framework for the class {framework.zone_class} (also {of_class[framework.zone_class]}): "
                "one framework a class; remove or rename one's class"
            )
            problems.append(Problem(path.as_posix(), document.line_of(("class",)), "class", ERROR, message))
            continue
        of_class[framework.zone_class] = path.as_posix()
        frameworks.append(framework)
        problems += framework_problems(framework, document, known)
    return frameworks, problems
