"""A tiny raw world for report tests: a few real zones, zones named like attacks, a made-up plan."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
from tests.conftest import PLANS, RAW, REPO, assess_args

from zonetrack.cli import main

XSS = "<script>alert(1)</script>"
MATHTEXT = "$\\frac{1}{0}$高新区"
FORMULA = '=HYPERLINK("http://x","y")'
GROUP_ZONES = ["changsha", "zhuzhou", "xiangtan", "yiyang", "hengyang", "chenzhou", "changde", "huaihua"]
MADE_UP_PLAN = """\
id: made-up-2020-2022
name_zh: 一个编造的方案
name_en: A made-up plan
issued: "2020-01"
source: tests
region: 湖南省
base_year: 2020
target_year: 2022
groups:
  pair: [changsha, zhuzhou]
targets:
  revenue_total:
    name_zh: 营业收入
    name_en: Revenue
    text_zh: 营业收入达到60亿元
    text_en: Revenue reaches 60 亿元
    rule: level
    scope: total
    groups: [pair]
    indicator: revenue
    min: 60
    unit: 亿元
  contracts_each:
    name_zh: 技术合同年均增长
    name_en: Contract growth
    text_zh: 各园区技术合同成交额年均增长10%以上
    text_en: Every zone's contract turnover grows 10% a year
    rule: growth
    scope: each
    groups: [pair]
    indicator: tech_contract_value
    min_rate: 0.1
    unit: 亿元
"""


def build(root: Path, last_year: int | None = None, new_file_from: int | None = None) -> dict[str, Path]:
    """raw/, processed/ (ingested, both the 2017-2019 plan and the made-up plan evaluated), params;
    with `last_year`, the statistics as they were before any later year arrived; with `new_file_from`,
    the years from it on in a file of their own (stats/long_<year>.csv), as a new year's data comes."""
    raw = root / "raw"
    (raw / "stats").mkdir(parents=True)
    shutil.copy(RAW / "indicators.csv", raw)
    shutil.copy(RAW / "layout.csv", raw)
    shutil.copy(RAW / "facilities.csv", raw)
    shutil.copytree(RAW / "reference", raw / "reference")
    registry = pd.read_csv(RAW / "zones.csv", dtype=str, keep_default_na=False)
    registry = registry[registry["zone_id"].isin(GROUP_ZONES)]
    extra = [
        {c: "" for c in registry.columns}
        | {"zone_id": "xss", "name_zh": XSS, "name_en": XSS, "city": XSS, "provincial_since": "2010", "source": XSS}
        | {"province": "湖南省"},
        {c: "" for c in registry.columns}
        | {"zone_id": "dollar", "name_zh": MATHTEXT, "name_en": "Dollar $x^$", "city": "$", "provincial_since": "2010"}
        | {"province": "湖南省"},
    ]
    pd.concat([registry, pd.DataFrame(extra)]).to_csv(raw / "zones.csv", index=False)
    rows = [("changsha", y, "tech_contract_value", v) for y, v in [(2016, 10), (2017, 12.5), (2018, 14), (2019, 20)]]
    rows += [("xss", y, "tech_contract_value", v) for y, v in [(2016, 1), (2017, 1.3), (2019, 2.1)]]
    rows += [("dollar", y, "tech_contract_value", v) for y, v in [(2016, 2), (2019, 2.2)]]
    rows += [
        (z, y, "high_tech_enterprises", 100 + 30 * (y - 2016)) for z in ("changsha", "xss") for y in range(2016, 2020)
    ]
    rows += [(z, y, "revenue", 20 + 5 * (y - 2020)) for z in ("changsha", "zhuzhou") for y in (2020, 2021)]
    rows += [
        (z, y, "tech_contract_value", 2 * 1.2 ** (y - 2020)) for z in ("changsha", "zhuzhou") for y in (2020, 2021)
    ]
    if last_year is not None:
        rows = [r for r in rows if r[1] <= last_year]
    later = [r for r in rows if new_file_from is not None and r[1] >= new_file_from]
    for name, part in (("long.csv", [r for r in rows if r not in later]), (f"long_{new_file_from}.csv", later)):
        if not part:
            continue
        with (raw / "stats" / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["zone", "year", "indicator", "value", "note"])
            writer.writerows([(*r, "illustrative") for r in part])
    (raw / "clusters.csv").write_text(f"zone,year,cluster,revenue\nchangsha,2019,{XSS},1200\n", encoding="utf-8")
    plans = root / "plans"
    plans.mkdir()
    shutil.copy(PLANS / "hunan-2017-2019.yaml", plans)
    (plans / "made-up-2020-2022.yaml").write_text(MADE_UP_PLAN, encoding="utf-8")
    params = root / "params.yaml"
    text = (REPO / "params.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  hunan-2026-2028:\n    years: auto\n    scenario: {}",
        "  made-up-2020-2022:\n    years: auto\n    scenario: {}",
    )
    params.write_text(text, encoding="utf-8")
    processed = root / "processed"
    assert main(["ingest", "--raw", str(raw), "--out", str(processed)]) == 0
    for plan in ("hunan-2017-2019", "made-up-2020-2022"):
        args = assess_args(processed, raw, root / f"{plan}.json", plan, params)
        args[args.index("--plan") + 1] = str(plans / f"{plan}.yaml")
        assert main(args) == 0
    return {"raw": raw, "processed": processed, "plans": plans, "params": params, "root": root}
