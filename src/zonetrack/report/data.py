"""What a plan's reports show, loaded once per plan from the stages' outputs, and laid out per year
as plain data for the templates (no markup here)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.engine.rules import ALL
from zonetrack.engine.status import ALL_STATUSES, MET, STATUS_ORDER
from zonetrack.io import read_output_csv, recover_outputs
from zonetrack.plans import Run, load_run
from zonetrack.registry import in_region, load_zones, short_names, zone_levels
from zonetrack.report import formatting as fmt
from zonetrack.report.html import by_name, sentence
from zonetrack.report.labels import both, pair


@dataclass
class PlanReport:
    """Everything a plan's yearly reports show, read once."""

    run: Run
    experiment: str | None
    scorecard: pd.DataFrame
    gaps: pd.DataFrame
    thresholds: pd.DataFrame
    contributions: pd.DataFrame
    summary: dict
    quality: dict
    registry: pd.DataFrame
    reference: pd.DataFrame
    fingerprint: str
    indicator_names: dict[str, str] = field(default_factory=dict)  # the dictionary's Chinese names
    panel: pd.DataFrame | None = None  # the plan's inputs (panel.parquet, clusters.parquet), for as_of
    clusters: pd.DataFrame | None = None
    _indexes: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # rows() builds them

    def rows(self, table: str, **keys) -> pd.DataFrame:
        """The rows of one of the report's tables (scorecard, gaps, thresholds, contributions) whose
        columns equal `keys`, in the table's order and with its index, as a mask over the table
        selects them: looked up in an index built once per table and set of columns (a page asks for
        hundreds of rows, and a mask over the whole table each time was a third of its time)."""
        return getattr(self, table).iloc[self._positions(table, keys)]

    def row(self, table: str, **keys) -> pd.Series | None:
        """The first of rows(table, **keys), None when there is none."""
        positions = self._positions(table, keys)
        return getattr(self, table).iloc[positions[0]] if len(positions) else None

    def _positions(self, table: str, keys: dict) -> np.ndarray:
        columns = tuple(keys)
        index = self._indexes.get((table, columns))
        if index is None:
            groups = getattr(self, table).groupby(list(columns), sort=False, observed=True).indices
            index = {k if isinstance(k, tuple) else (k,): v for k, v in groups.items()}
            self._indexes[(table, columns)] = index
        return index.get(tuple(keys.values()), np.arange(0))

    def as_of(self, year: int) -> PlanReport:
        """The report as its year's page shows it: the stages' rows of that year and the years before,
        and the data (its values, files, warnings, coverage and fingerprint) of the plan's base year to
        that year. Nothing a later year's data changes reaches a year's page, so a new year leaves the
        pages of the years before byte-identical (and the report stage reads them from the cache)."""
        from zonetrack.ingest.report import for_years

        def upto(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["year"] <= year].reset_index(drop=True)

        panel, clusters, quality = for_years(
            self.panel, self.clusters, self.quality, range(self.plan.base_year, year + 1)
        )
        # The years outside the plan are said on the plan's page, not on a year's.
        summary = {k: v for k, v in self.summary.items() if k != "outside_years"} | {
            "years": [y for y in self.summary.get("years", []) if y <= year],
            "data_years": [y for y in self.summary.get("data_years", []) if y <= year],
            "registry_counts": [r for r in self.summary.get("registry_counts", []) if r["year"] <= year],
        }
        return PlanReport(
            self.run,
            self.experiment,
            upto(self.scorecard),
            upto(self.gaps),
            upto(self.thresholds),
            upto(self.contributions),
            summary,
            quality,
            self.registry,
            self.reference,
            data_fingerprint(panel),
            self.indicator_names,
            panel,
            clusters,
        )

    @property
    def plan(self):
        return self.run.plan

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.scorecard["year"].unique())

    @property
    def reads_statistics(self) -> bool:
        """Whether any target reads the zone statistics (a plan on the registry alone does not, and
        its verdicts rest on the registry's sourced facts, not on illustrative figures)."""
        return any(not t.on_registry for t in self.plan.targets.values())

    @cached_property
    def part_targets(self) -> frozenset[str]:
        """The targets on a sum of the zones' amounts: a zone's row of one is a part of the total,
        not a verdict of its own. A sum over one zone (a plan of one zone) is that zone's own."""
        zones = self.scorecard[self.scorecard["zone_id"] != ALL]
        per_target = zones.groupby("target_id", observed=True)["zone_id"].nunique()
        return frozenset(
            t for t, target in self.plan.targets.items() if target.sum_of_zones and per_target.get(t, 0) > 1
        )

    @cached_property
    def zone_names(self) -> dict[str, str]:
        """Each zone's short Chinese name (长沙高新区)."""
        return short_names(self.registry)


# The reports read, by their arguments, in a process that keeps them (keep_loaded); None: read each time.
_kept_reports: dict | None = None


def keep_loaded() -> None:
    """From now on, this process reads each plan's report once and gives the same one to every later
    load_plan_report with the same arguments. Only for a process whose inputs cannot change while it
    lives: the report stage's kernel, which runs the notebooks of every year of one stage run (each
    reads the whole report and takes its year's view, as_of; the stage's own process reads it once
    too). An analyst's kernel never turns it on, so a notebook rerun reads the files as they are."""
    global _kept_reports
    if _kept_reports is None:
        _kept_reports = {}


def load_plan_report(
    plan_file: Path, params_file: Path, plan_processed: Path, processed: Path, raw: Path, experiment: str | None = None
) -> PlanReport:
    """Read a plan's scorecard and analysis, the run's settings, data quality, registry and references
    (or, after keep_loaded(), the report read before with the same arguments)."""
    arguments = (plan_file, params_file, plan_processed, processed, raw, experiment)
    if _kept_reports is not None and arguments in _kept_reports:
        return _kept_reports[arguments]
    report = _read_plan_report(*arguments)
    if _kept_reports is not None:
        _kept_reports[arguments] = report
    return report


def _read_plan_report(
    plan_file: Path, params_file: Path, plan_processed: Path, processed: Path, raw: Path, experiment: str | None
) -> PlanReport:
    recover_outputs(plan_processed)
    reference_file = raw / "reference" / "province_official.csv"
    run = load_run(plan_file, params_file)
    panel = pd.read_parquet(processed / "panel.parquet")
    return PlanReport(
        run,
        experiment or None,
        read_output_csv(plan_processed / "scorecard.csv"),
        read_output_csv(plan_processed / "gaps.csv"),
        read_output_csv(plan_processed / "thresholds.csv"),
        read_output_csv(plan_processed / "contributions.csv"),
        json.loads((plan_processed / "run.json").read_text(encoding="utf-8")),
        json.loads((processed / "data_quality.json").read_text(encoding="utf-8")),
        in_region(load_zones(raw), run.plan.region),
        pd.read_csv(reference_file, dtype=str) if reference_file.exists() else pd.DataFrame(),
        data_fingerprint(panel),
        _indicator_names(raw),
        panel,
        pd.read_parquet(processed / "clusters.parquet"),
    )


def data_fingerprint(panel: pd.DataFrame) -> str:
    """The data a page rests on, in 12 hex digits: the SHA-256 of the panel's rows as parquet (for a
    plan's last year, that of data/processed/inputs/<plan>/panel.parquet)."""
    import io

    buffer = io.BytesIO()
    panel.to_parquet(buffer, index=False)
    return hashlib.sha256(buffer.getvalue()).hexdigest()[:12]


def _indicator_names(raw: Path) -> dict[str, str]:
    from zonetrack.indicators import chinese_names, load_dictionary

    return chinese_names(load_dictionary(raw / "indicators.csv"))


def _value(row, key: str) -> float | None:
    if row is None:
        return None
    value = row[key]
    return None if pd.isna(value) else float(value)


def banners(report: PlanReport) -> dict:
    """The illustrative-data banner and the scenario banner (every setting that differs from the plan)."""
    changes = [{"setting": k, "plan": a, "run": b} for k, a, b in report.run.changes]
    return {
        "illustrative": bool(report.quality.get("illustrative")) and report.reads_statistics,
        "illustrative_share": report.quality.get("illustrative_share", 0.0),
        "changes": changes,
        "experiment": report.experiment,
    }


def target_text(target) -> tuple[str, str]:
    """The threshold as this run assesses it, in words (≥ 20.0%/年; ≥ 2 × 2016; ≤ 30 位): the
    rule's words (its model's `words`) with this run's numbers."""
    sign = "≤" if target.better == "lower" else "≥"
    zone = target.zone_view()  # what each zone must reach (the target itself but for zones_reaching)
    zone_sign = "≤" if zone.better == "lower" else "≥"
    level = getattr(target, "level", "")
    fields = {
        "sign": sign,
        "threshold": fmt.with_unit(target.bound, target),
        "rate": fmt.rate(target.bound),
        "rate_en": f"{target.bound * 100:g}%",
        "k": f"{target.bound:g}",
        "min_change": f"{target.bound:g}",
        "unit": target.unit,
        "up_zh": "提升" if target.better == "lower" else "增加",
        "up_en": "up" if target.better == "lower" else "up by",
        "level_zh": pair("level", level)[0] if level else "",
        "level": level,
        "zones": f"{target.bound:g}",
        "share": fmt.number(target.bound, share=True),
        "each": f"{zone_sign} {fmt.with_unit(zone.bound, target)}",
    }
    zh, en = target.words.get(target.parameter) or target.words[None]
    return zh.format(**fields), en.format(**fields)


def changed(report: PlanReport, target_id: str) -> bool:
    """Whether this run (a scenario) sets the target differently from the plan."""
    return any(k.startswith(f"targets.{target_id}.") for k, _, _ in report.run.changes)


def headline(report: PlanReport, year: int) -> list[dict]:
    """Every target's ALL row in the year: the plan's sentence, value, target, status, coverage, gap."""
    rows = []
    for target_id, target in report.plan.targets.items():
        row = report.row("scorecard", year=year, target_id=target_id, zone_id=ALL)
        if row is None:
            continue
        each = getattr(target, "scope", "total") == "each"
        gap = report.row("gaps", year=year, target_id=target_id, zone_id=ALL)
        threshold_zh, threshold_en = target_text(target)
        rows.append(
            {
                "id": target_id,
                "target": target,
                "rule": target.label,
                "scope": getattr(target, "scope", "registry" if target.on_registry else ""),
                "value": headline_value(row, target, each, report.plan.base_year),
                "target_value": sentence("every_zone") if each else fmt.number(_value(row, "target_value"), target),
                "threshold": (threshold_zh, threshold_en),
                "status": row["status"],
                "coverage": fmt.number(_value(row, "coverage"), share=True),
                "gap": _gap_text(target, gap, each),
                "changed": changed(report, target_id),
            }
        )
    return rows


def headline_value(row, target, each: bool, base_year: int) -> str:
    """What a target's value is, said with it: the share of zones meeting it (an `each` target), the
    level with its unit and the average rate achieved since the base year (a rate target), or the level
    with its unit."""
    value = _value(row, "value")
    if each:
        return "—" if fmt.missing(value) else sentence("share_of_zones", share=fmt.number(value, share=True))
    level = fmt.with_unit(value, target)
    rate = _value(row, "actual_rate")
    if getattr(target, "parameter", None) in ("min_rate", "max_rate") and not fmt.missing(rate):
        return sentence("level_and_rate", level=level, rate=f"{rate * 100:+.1f}%", base_year=base_year)
    return level


def _gap_text(target, gap, each: bool) -> str:
    if gap is None or fmt.missing(_value(gap, "gap")):
        return ""
    amount = _value(gap, "gap")
    if each:
        return sentence("zones_short", count=f"{amount:,.0f}")
    if target.parameter in ("min_rate", "max_rate"):
        return sentence("rate_short", amount=fmt.difference(amount, target), rate=f"{target.bound * 100:g}%")
    return sentence("short", amount=fmt.difference(amount, target))


def heatmap(report: PlanReport, year: int) -> dict:
    """Zones × targets: each cell's status (None where the target does not apply to the zone)."""
    zones = report.scorecard[(report.scorecard["year"] == year) & (report.scorecard["zone_id"] != ALL)]
    present, assessed = set(zones["target_id"]), set(zones["zone_id"])
    targets = [t for t in report.plan.targets if t in present]
    order = [z for z in report.registry["zone_id"] if z in assessed]
    parts = report.part_targets
    status = {(r.zone_id, r.target_id): fmt.PART if r.target_id in parts else r.status for r in zones.itertuples()}
    names = report.zone_names
    return {
        "targets": [(t, report.plan.targets[t]) for t in targets],
        "rows": [{"id": z, "name": names.get(z, z), "cells": [status.get((z, t)) for t in targets]} for z in order],
    }


def what_it_would_take(report: PlanReport, year: int, target_id: str) -> dict:
    """The target's gap, the growth still required against the growth so far, the projection, the
    threshold at which the verdict flips, and the zones holding it back."""
    target = report.plan.targets[target_id]
    plan = report.plan
    end = plan.end_year(target)
    gap = report.row("gaps", year=year, target_id=target_id, zone_id=ALL)
    threshold = report.row("thresholds", year=year, target_id=target_id)
    lines = []
    each = getattr(target, "scope", "total") == "each"
    if gap is not None and not each:
        lines.append((both("whatif", "gap"), _gap_text(target, gap, False)))
        if year < end and not fmt.missing(_value(gap, "required_rate_remaining")):
            required = sentence(
                "required_growth",
                rate=fmt.rate(_value(gap, "required_rate_remaining")),
                start=year + 1,
                end=end,
                achieved=fmt.rate(_value(gap, "achieved_rate")),
                base_year=plan.base_year,
            )
            lines.append((both("whatif", "required_growth"), required))
        if year < end and not fmt.missing(_value(gap, "required_per_year_remaining")):
            required = sentence(
                "required_increase",
                amount=fmt.number(_value(gap, "required_per_year_remaining"), target),
                unit=target.unit,
                start=year + 1,
                end=end,
                achieved=fmt.number(_value(gap, "achieved_per_year"), target),
            )
            lines.append((both("whatif", "required_increase"), required))
        if not fmt.missing(_value(gap, "projection")):
            reach = _value(gap, "reach_year")
            projected = sentence(
                "projection",
                value=fmt.with_unit(_value(gap, "projection"), target),
                end=end,
                reach=f"{reach:.0f}" if reach else "",
            )
            lines.append((both("whatif", "projection"), projected))
    if each and gap is not None:
        lines.append((both("whatif", "gap"), _gap_text(target, gap, True)))
    counted = _registry_count(report, year, target_id)
    if counted:
        lines.append((both("whatif", "registry"), counted))
    if getattr(target, "base_value", None) is not None:
        stated = fmt.with_unit(float(target.base_value), target)
        said = sentence("base", value=stated, year=plan.base_year, source=target.base_source)
        lines.append((both("whatif", "base"), said))
    if threshold is not None:
        lines.append((both("whatif", "threshold"), _threshold_text(target, threshold)))
    holding = report.rows("contributions", year=year, target_id=target_id)
    names = report.zone_names
    contributors = [
        {
            "zone": names.get(r.zone_id, r.zone_id),
            "id": r.zone_id,
            "part": fmt.difference(r.contribution, target),
            "share": fmt.number(r.share_of_gap, share=True),
        }
        for r in holding[holding["contribution"] > 0].head(5).itertuples()
    ]
    behind = []
    if each:
        zone_gaps = report.rows("gaps", year=year, target_id=target_id)
        zone_gaps = zone_gaps[zone_gaps["zone_id"] != ALL]
        behind = [
            {"zone": names.get(r.zone_id, r.zone_id), "id": r.zone_id, "gap": fmt.difference(r.gap, target)}
            for r in zone_gaps.sort_values("gap", ascending=False).head(8).itertuples()
        ]
    return {"lines": lines, "contributors": contributors, "behind": behind}


def _registry_count(report: PlanReport, year: int, target_id: str) -> str:
    """What a count on the registry rests on: every zone listed, a published total, or neither."""
    found = [r for r in report.summary.get("registry_counts", []) if r["year"] == year and r["target_id"] == target_id]
    if not found or found[0]["listed"] is None or not report.plan.targets[target_id].counts_registry:
        return ""
    row, region = found[0], report.plan.region
    listed = f"{row['listed']:,.0f}"
    if row["at_most"] is None:
        return sentence("registry_open", listed=listed, region=region, year=year)
    if row["at_most"] == row["listed"]:
        return sentence("registry_complete", listed=listed, region=region, year=year)
    return sentence("registry_part", listed=listed, total=f"{row['at_most']:,.0f}", year=year)


def _threshold_text(target, threshold) -> str:
    parameter, value, when = threshold["parameter"], float(threshold["critical_value"]), threshold["met_when"]
    shown = _parameter_text(parameter, value, target, precise=True)
    name = pair("parameter", parameter)[1]
    if when == "never":
        if target.like_for_like:
            return sentence("never_moved", name=name)
        return sentence("never", name=name, value=shown, side="above" if target.better == "lower" else "below")
    if when == "always":
        return sentence("always", name=name, value=shown)
    this_run = _parameter_text(parameter, float(threshold["run_value"]), target)
    side = "or more" if when == "at_least" else "or less"
    return sentence("flips", name=name, value=shown, side=side, run_value=this_run)


def _parameter_text(parameter: str, value: float, target, precise: bool = False) -> str:
    if parameter in ("min_rate", "max_rate"):
        return f"{value * 100:.1f}%/年" if precise else f"{value * 100:g}%/年"
    if parameter == "k":
        return f"{value:.2f} ×" if precise else f"{value:g} ×"
    if parameter == "min_share":
        return fmt.number(value, share=True)
    if parameter in ("min", "max"):
        if target.counts_zones:
            return f"{value:g} 个园区 zones"
        return fmt.with_unit(value, target)
    return f"{value:g} {target.unit}" if precise else f"{value:g}"


def zone_sections(report: PlanReport, year: int) -> dict:
    """Per zone, in the registry's order: its level and city, and every target that applies to it, in
    the plan's order, with value, base, target, gap, status and its values in each year up to this one
    (one pass over the rows: linear in the zones)."""
    card = report.scorecard
    zones = card[(card["year"] == year) & (card["zone_id"] != ALL)]
    history = card[(card["year"] <= year) & (card["zone_id"] != ALL)]
    # Plain dicts: a MultiIndex lookup per row costs more the more rows there are.
    of_year = report.gaps[(report.gaps["year"] == year) & (report.gaps["zone_id"] != ALL)]
    gaps = dict(zip(zip(of_year["target_id"], of_year["zone_id"], strict=True), of_year["gap"], strict=True))
    parts_of_year = report.contributions[report.contributions["year"] == year]
    shares = dict(
        zip(
            zip(parts_of_year["target_id"], parts_of_year["zone_id"], strict=True),
            parts_of_year["contribution"],
            strict=True,
        )
    )
    levels = zone_levels(report.registry, [year]).set_index("zone_id")["level"]
    registry = report.registry.set_index("zone_id")
    years = sorted(int(y) for y in history["year"].unique())
    order = {t: n for n, t in enumerate(report.plan.targets)}
    zones = zones.assign(_order=zones["target_id"].map(order)).sort_values("_order", kind="stable")
    by_zone = dict(tuple(zones.groupby("zone_id", sort=False)))
    series_of = {
        (r.zone_id, r.target_id, int(r.year)): r.value
        for r in history[["zone_id", "target_id", "year", "value"]].itertuples()
    }
    sections = []
    for zone_id in [z for z in report.registry["zone_id"] if z in by_zone]:
        mine = by_zone[zone_id]
        rows = []
        for row in mine.itertuples():
            target = report.plan.targets[row.target_id]
            part = target.sum_of_zones
            # A part: the zone's part of the total's gap, against the total's target.
            gap = (shares if part else gaps).get((row.target_id, zone_id))
            shown_target = fmt.number(row.target_value, target)
            rows.append(
                {
                    "id": row.target_id,
                    "target": target,
                    "value": fmt.number(row.value, target),
                    "base": fmt.number(row.base_value, target),
                    "target_value": f"Σ {shown_target}" if part else shown_target,
                    "gap": (
                        "" if gap is None or pd.isna(gap) or (part and gap <= 0) else fmt.difference(gap, target, False)
                    ),
                    "status": fmt.PART if part else row.status,
                    "series": [fmt.number(series_of.get((zone_id, row.target_id, y)), target) for y in years],
                }
            )
        counts = mine.loc[~mine["target_id"].isin(report.part_targets), "status"].value_counts()
        sections.append(
            {
                "id": zone_id,
                "name_zh": registry.loc[zone_id, "name_zh"],
                "short": report.zone_names[zone_id],
                "name_en": registry.loc[zone_id, "name_en"],
                "city": registry.loc[zone_id, "city"],
                "level": both("level", levels[zone_id]) if levels.get(zone_id) else "",
                "rows": rows,
                "counts": [(s, int(counts.get(s, 0))) for s in ALL_STATUSES if counts.get(s, 0)],
            }
        )
    return {"years": years, "zones": sections}


def zone_index(report: PlanReport) -> list[dict]:
    """Each zone the plan assesses, in the registry's order: the years whose report has its section,
    and how many of its own verdicts (targets on the zones' total excluded) are in each status in the
    latest of them."""
    card = report.scorecard[report.scorecard["zone_id"] != ALL]
    own = card[~card["target_id"].isin(report.part_targets)]
    years = card.groupby("zone_id")["year"].unique()
    latest_year = card.groupby("zone_id")["year"].max()
    counts = own[own["year"] == own["zone_id"].map(latest_year)].groupby(["zone_id", "status"]).size()
    index, counted = [], set(counts.index.get_level_values(0))
    for zone_id in [z for z in report.registry["zone_id"] if z in years.index]:
        mine = counts[zone_id] if zone_id in counted else pd.Series(dtype="int64")
        index.append(
            {
                "id": zone_id,
                "short": report.zone_names[zone_id],
                "years": sorted(int(y) for y in years[zone_id]),
                "latest": int(latest_year[zone_id]),
                "counts": [(s, int(mine[s])) for s in ALL_STATUSES if s in mine.index],
            }
        )
    return index


def quality(report: PlanReport, year: int) -> dict:
    """Coverage of the indicators the plan reads in the year, and the data warnings of the year and
    of the base year, grouped by kind, with zone names in Chinese."""
    base = report.plan.base_year
    indicators = sorted({i for t in report.plan.targets.values() for i in t.indicators})
    coverage = report.quality.get("coverage", {})
    rows = [
        {
            "indicator": i,
            "name": report.indicator_names.get(i, i),
            "coverage": {y: coverage.get(i, {}).get(str(y)) for y in (base, year)},
        }
        for i in indicators
    ]
    names = report.zone_names
    groups: dict[str, list[str]] = {}
    # A plan on the registry alone reads no statistics; another plan, its region's zones only.
    warnings = report.quality.get("warnings", []) if report.reads_statistics else []
    for warning in warnings:
        if warning.get("year") not in (year, base, None):
            continue
        if warning.get("zone_id") and warning["zone_id"] not in names:
            continue
        if warning.get("indicator") and warning["indicator"] not in indicators and warning.get("kind") != "file":
            continue
        # The warning's zone and indicator by their names, wherever its message (written for the
        # analyst who fixes the file, with ids) gives them; a zone the message does not name leads it.
        zone, indicator = warning.get("zone_id"), warning.get("indicator")
        ids = {zone: names.get(zone, zone)} if zone else {}
        ids |= {indicator: report.indicator_names.get(indicator, indicator)} if indicator else {}
        text = by_name(warning["message"], ids)
        if zone and ids[zone] not in text:
            text = f"{ids[zone]} {text}"
        groups.setdefault(warning["kind"], []).append(text)
    return {
        "years": (base, year),
        "rows": rows,
        "groups": sorted(groups.items()),
        "skipped": report.quality.get("skipped_sheets", []),
    }


def status_counts(report: PlanReport) -> pd.DataFrame:
    """Years × statuses: how many targets are in each status (ALL rows)."""
    totals = report.scorecard[report.scorecard["zone_id"] == ALL]
    return totals.groupby(["year", "status"]).size().unstack(fill_value=0).reindex(columns=ALL_STATUSES, fill_value=0)


def met_share(report: PlanReport, year: int) -> tuple[int, int]:
    """(targets met, targets with a verdict) in a year."""
    totals = report.scorecard[(report.scorecard["zone_id"] == ALL) & (report.scorecard["year"] == year)]
    verdicts = totals[totals["status"].isin(STATUS_ORDER)]
    return int((verdicts["status"] == MET).sum()), len(verdicts)


def project_path(path: str | Path, start: Path | None = None) -> Path:
    """A path as a notebook's parameters give it: absolute, or relative to the working folder; where
    it is not there (a kernel started in notebooks/ by `make lab`), relative to the project's root,
    the nearest folder above that holds dvc.yaml."""
    path, here = Path(path), (start or Path.cwd()).resolve()
    if path.is_absolute() or (here / path).exists():
        return path
    for folder in here.parents:
        if (folder / "dvc.yaml").exists():
            return folder / path
    return path


def in_plan_order(report: PlanReport, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the plan's order of targets, the total (ALL) first, then zones in the registry's order."""
    targets = {t: n for n, t in enumerate(report.plan.targets)}
    zones = {ALL: -1} | {z: n for n, z in enumerate(report.registry["zone_id"])}
    keys = pd.DataFrame(
        {
            "zone": frame["zone_id"].map(zones).fillna(len(zones)).to_numpy(),
            "target": frame["target_id"].map(targets).fillna(len(targets)).to_numpy(),
        }
    )
    return frame.iloc[keys.sort_values(["zone", "target"], kind="stable").index].copy()


def explore_tables(report: PlanReport, panel: pd.DataFrame, year: int) -> dict[str, pd.DataFrame]:
    """The year's tables for an analyst who opens the executed notebook: the scorecard and the gaps
    (zones and targets named in Chinese, in the plan's and the registry's order), and the panel's rows
    of the plan's indicators up to the year."""
    names = report.zone_names | {ALL: "全部 all zones"}
    targets = report.plan.targets

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        frame = in_plan_order(report, frame[frame["year"] == year])
        frame.insert(2, "target", [targets[t].name_zh for t in frame["target_id"]])
        frame.insert(4, "zone", [names.get(z, z) for z in frame["zone_id"]])
        return frame

    indicators = sorted({i for t in targets.values() for i in t.indicators})
    rows = panel[
        panel["indicator"].isin(indicators) & (panel["year"] <= year) & panel["zone_id"].isin(report.zone_names)
    ]
    rows = rows.assign(zone=[names.get(z, z) for z in rows["zone_id"]])
    return {
        "scorecard": named(report.scorecard).reset_index(drop=True),
        "gaps": named(report.gaps).reset_index(drop=True),
        "panel": rows.sort_values(["indicator", "zone_id", "year"]).reset_index(drop=True),
    }
