"""The illustrative embedded dataset: seeded, plausible zone statistics for 2016-2019 (the 2017-2019
plan) and 2025-2026 (the 2026-2028 plan).

No zone-by-zone statistics are published, so these values are invented. They are kept below the
real province-wide figures in data/raw/reference/, spread so that the plans' targets come out in
many statuses of the method, and every row (or every table's title) says it is illustrative.
Rerunning the generator with the same seed writes byte-identical files; it refuses to overwrite a
file it would write differently (edited, or from another seed) unless forced.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from zonetrack.io import stable_xlsx
from zonetrack.registry import load_registry, short_name_zh, zone_levels

YEARS = [2016, 2017, 2018, 2019]
RECENT_YEARS = [2025, 2026]
GROUP_COLUMNS = ["leading_innovative_enterprises", "high_growth_tech_enterprises", "tech_small_micro_enterprises"]
NOTE = "示例数据,非官方统计 / illustrative, not official statistics"
# Relative size of the national zones (Changsha = 10); provincial zones draw theirs.
NATIONAL_SIZE = {
    "changsha": 10.0,
    "zhuzhou": 5.0,
    "xiangtan": 3.5,
    "hengyang": 2.5,
    "yiyang": 2.0,
    "chenzhou": 2.0,
    "changde": 2.0,
    "huaihua": 1.2,
}
CZT_CLUSTERS = {
    "changsha": [("工程机械", 1080.0, 0.06), ("电子信息", 520.0, 0.10), ("新材料", 430.0, 0.09)],
    "zhuzhou": [("轨道交通", 930.0, 0.05), ("新能源汽车", 470.0, 0.04), ("通用航空", 210.0, 0.08)],
    "xiangtan": [("新能源装备", 420.0, 0.12), ("先进矿山装备", 300.0, -0.03), ("海洋工程装备", 150.0, 0.10)],
}
OTHER_NATIONAL_CLUSTERS = {
    "yiyang": ["专用设备制造", "通讯和电子设备制造", "农产品精深加工"],
    "hengyang": ["输变电装备制造", "电子信息", "核能"],
    "chenzhou": ["有色金属新材料", "电子信息", "先进装备制造"],
    "changde": ["生命健康", "先进装备制造", "新材料"],
    "huaihua": ["医药健康", "商贸物流"],
}
PROVINCIAL_CLUSTERS = ["装备制造", "新材料", "电子信息", "食品加工", "生物医药", "节能环保"]


def _existing(registry: pd.DataFrame, years: list[int] = YEARS) -> pd.DataFrame:
    levels = zone_levels(registry, years)
    return levels[levels["level"].notna()].reset_index(drop=True)


def _series(rng: np.random.Generator, base: float, rate: float, spread: float, steps: int) -> np.ndarray:
    """A path base·Π(1 + rate + noise) over steps years (index 0 is the base year)."""
    noise = rng.normal(0.0, spread, steps - 1)
    return base * np.concatenate([[1.0], np.cumprod(1.0 + rate + noise)])


def _count_path(rng: np.random.Generator, start: int, trend: str, steps: int) -> np.ndarray:
    """Integer counts that reach, creep, stall or decline."""
    moves = {"reach": [0, 1, 1], "creep": [0, 0, 1], "stall": [0, 0, 0], "decline": [-1, 0, 0]}[trend]
    steps_taken = rng.choice(moves, size=steps - 1)
    return np.maximum(start + np.concatenate([[0], np.cumsum(steps_taken)]), 0)


def generate(registry: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zone statistics (one row per zone and year, canonical units) and clusters for 2016-2019."""
    rng = np.random.default_rng(seed)
    existing = _existing(registry)
    rows, clusters = [], []
    for zone in registry["zone_id"]:
        years = existing.loc[existing["zone_id"] == zone, "year"].tolist()
        if not years:
            continue
        levels = dict(
            zip(
                existing.loc[existing["zone_id"] == zone, "year"],
                existing.loc[existing["zone_id"] == zone, "level"],
                strict=True,
            )
        )
        national_2019 = levels.get(2019) == "national"
        size = NATIONAL_SIZE.get(zone, float(rng.uniform(0.15, 0.6)))
        n = len(years)
        revenue = _series(rng, 350.0 * size, 0.08, 0.03, n)
        value_added = revenue * rng.uniform(0.25, 0.33) * _series(rng, 1.0, 0.035, 0.01, n)
        rd_share = np.clip(_series(rng, rng.uniform(0.02, 0.036), 0.06, 0.03, n), 0.005, 0.08)
        population = _series(rng, (7.0 if national_2019 else 1.6) * size + rng.uniform(1.0, 4.0), 0.02, 0.01, n)
        patents_per_10k = _series(rng, rng.uniform(6.0, 30.0) * (1.6 if zone == "changsha" else 1.0), 0.09, 0.04, n)
        hte = np.round(_series(rng, 45.0 * size + rng.uniform(2, 12), 0.22, 0.05, n))
        smes = np.round(_series(rng, 110.0 * size + rng.uniform(5, 30), 0.29, 0.05, n))
        contract = _series(rng, 1.6 * size + rng.uniform(0.05, 0.4), float(rng.uniform(-0.08, 0.45)), 0.06, n)
        counts = {}
        for indicator, start_range, trend_weights in (
            # National carriers sit almost only in national zones (province: 19 national
            # incubators and 49 national maker spaces at the end of 2018).
            ("national_incubators", (0, 2) if national_2019 else (0, 0), [0.25, 0.35, 0.3, 0.1]),
            ("national_maker_spaces", (0, 2) if national_2019 else (0, 0), [0.3, 0.35, 0.25, 0.1]),
            ("provincial_incubators", (0, 3), [0.45, 0.3, 0.15, 0.1]),
            ("provincial_maker_spaces", (0, 3), [0.45, 0.3, 0.15, 0.1]),
            ("national_clusters", (0, 1) if national_2019 else (0, 0), [0.2, 0.2, 0.5, 0.1]),
            ("service_agglomerations", (0, 1) if national_2019 else (0, 0), [0.1, 0.2, 0.6, 0.1]),
            ("national_service_agglomerations", (1, 1) if zone == "changsha" else (0, 0), [0.0, 0.3, 0.7, 0.0]),
            ("innovation_platforms", (0, 2), [0.5, 0.2, 0.2, 0.1]),
            ("venture_funds", (0, 2), [0.4, 0.3, 0.2, 0.1]),
        ):
            trend = rng.choice(["reach", "creep", "stall", "decline"], p=trend_weights)
            counts[indicator] = _count_path(rng, int(rng.integers(*start_range, endpoint=True)), trend, n)
        for indicator in ("service_institutions", "finance_institutions"):
            counts[indicator] = np.round(_series(rng, rng.uniform(3, 14), rng.uniform(-0.05, 0.35), 0.05, n))
        if not national_2019:
            counts["national_service_agglomerations"] = np.zeros(n, dtype=int)
        for i, year in enumerate(years):
            rows.append(
                {
                    "zone_id": zone,
                    "year": year,
                    "level": levels[year],
                    "tech_contract_value": contract[i],
                    "high_tech_value_added": value_added[i],
                    "revenue": revenue[i],
                    "rd_expenditure": revenue[i] * rd_share[i],
                    "population": population[i],
                    "invention_patents": np.round(population[i] * patents_per_10k[i]),
                    "high_tech_enterprises": hte[i],
                    "tech_smes": smes[i],
                    **{k: int(v[i]) for k, v in counts.items()},
                }
            )
        clusters += _clusters(rng, zone, years, size)
    stats = pd.DataFrame(rows)
    # Cases the method must show: a zone whose base is zero (growth not assessable) and
    # a few missing values (no data), as analysts receive them.
    stats.loc[(stats["zone_id"] == "lianyuan") & (stats["year"] == 2016), "tech_contract_value"] = 0.0
    for zone, year, indicator in (
        ("luxi", 2016, "tech_contract_value"),
        ("jinshi", 2018, "rd_expenditure"),
        ("yongzhou", 2019, "invention_patents"),
        ("xiangyin", 2017, "venture_funds"),
    ):
        stats.loc[(stats["zone_id"] == zone) & (stats["year"] == year), indicator] = np.nan
    return stats, pd.DataFrame(clusters, columns=["zone_id", "year", "cluster", "revenue"])


def _clusters(rng: np.random.Generator, zone: str, years: list[int], size: float) -> list[tuple]:
    n = len(years)
    if zone in CZT_CLUSTERS:
        specs = [(name, base, rate) for name, base, rate in CZT_CLUSTERS[zone]]
    elif zone in OTHER_NATIONAL_CLUSTERS:
        specs = [
            (name, float(rng.uniform(280, 540)), float(rng.uniform(0.0, 0.18)))
            for name in OTHER_NATIONAL_CLUSTERS[zone]
        ]
    else:
        names = rng.choice(PROVINCIAL_CLUSTERS, size=int(rng.integers(1, 3, endpoint=True)), replace=False)
        specs = [
            (str(name), float(rng.uniform(30, 130) * size * 2.0), float(rng.uniform(-0.05, 0.25))) for name in names
        ]
    rows = []
    for name, base, rate in specs:
        path = _series(rng, base, rate, 0.02, n)
        rows += [(zone, year, name, round(float(path[i]), 2)) for i, year in enumerate(years)]
    return rows


def _number(value: float, decimals: int, grouped: bool = False) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"


def economy_csv(stats: pd.DataFrame, registry: pd.DataFrame) -> bytes:
    """Wide CSV as a statistics office sends it: Chinese headers, 万元 and 人, GB18030."""
    names = dict(zip(registry["zone_id"], registry["name_zh"], strict=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "高新区",
            "年份",
            "技术合同成交额(万元)",
            "高新技术产业增加值(万元)",
            "营业收入(万元)",
            "研发经费支出(万元)",
            "常住人口(人)",
            "有效发明专利拥有量(件)",
            "高新技术企业数(家)",
            "科技型中小企业数(家)",
            "备注",
        ]
    )
    for i, row in enumerate(stats.itertuples(index=False)):
        grouped = i % 7 == 3  # some offices write thousands separators
        name = short_name_zh(names[row.zone_id]) if i % 5 == 1 else names[row.zone_id]
        population = (
            ("-" if pd.isna(row.population) else f"{row.population:.2f}万")
            if i % 6 == 2
            else _number(row.population * 1e4, 0, grouped)
        )
        writer.writerow(
            [
                name,
                row.year,
                _number(row.tech_contract_value * 1e4, 1, grouped),
                _number(row.high_tech_value_added * 1e4, 1, grouped),
                _number(row.revenue * 1e4, 1, grouped),
                _number(row.rd_expenditure * 1e4, 1, grouped),
                population,
                _number(row.invention_patents, 0),
                _number(row.high_tech_enterprises, 0),
                _number(row.tech_smes, 0),
                NOTE,
            ]
        )
    return buffer.getvalue().encode("gb18030")


CARRIER_COLUMNS = [
    "national_incubators",
    "national_maker_spaces",
    "provincial_incubators",
    "provincial_maker_spaces",
    "national_clusters",
    "innovation_platforms",
    "venture_funds",
    "service_institutions",
    "finance_institutions",
]


def carriers_xlsx(stats: pd.DataFrame, registry: pd.DataFrame) -> bytes:
    """Workbook of innovation carriers: a title row above each table, English zone names, a notes sheet."""
    from openpyxl import Workbook

    names = dict(zip(registry["zone_id"], registry["name_en"], strict=True))
    national = set(stats.loc[(stats["year"] == 2019) & (stats["level"] == "national"), "zone_id"])
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["创新载体统计表 (示例数据) / Innovation carriers (illustrative data)"])
    notes.append(["Values are invented for demonstration; see data/raw/reference for official province-wide figures."])
    for title, in_sheet in (("国家级高新区", True), ("省级高新区", False)):
        sheet = workbook.create_sheet(title)
        sheet.append([f"{title}创新载体 2016-2019 (示例数据 illustrative)"])
        sheet.append([])
        sheet.append(["zone", "year", *CARRIER_COLUMNS, "note"])
        part = stats[stats["zone_id"].isin(national) == in_sheet]
        for row in part.itertuples(index=False):
            values = [None if pd.isna(getattr(row, c)) else int(getattr(row, c)) for c in CARRIER_COLUMNS]
            sheet.append([names[row.zone_id], int(row.year), *values, NOTE])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return stable_xlsx(buffer.getvalue())


def services_long_csv(stats: pd.DataFrame) -> bytes:
    """Long CSV (UTF-8 with BOM): tech-service agglomerations by zone id, Chinese indicator names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zone", "year", "indicator", "value", "unit", "note"])
    for row in stats.itertuples(index=False):
        for indicator, name in (
            ("service_agglomerations", "省级以上科技服务业集聚区"),
            ("national_service_agglomerations", "国家级科技服务业集聚区"),
        ):
            writer.writerow([row.zone_id, row.year, name, int(getattr(row, indicator)), "个", NOTE])
    return buffer.getvalue().encode("utf-8-sig")


def clusters_csv(clusters: pd.DataFrame) -> bytes:
    """Industrial clusters with revenue in 亿元 (UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["zone", "year", "cluster", "revenue(亿元)", "note"])
    for row in clusters.itertuples(index=False):
        writer.writerow([row.zone_id, row.year, row.cluster, f"{row.revenue:.2f}", NOTE])
    return buffer.getvalue().encode("utf-8")


def generate_groups(registry: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The 百千万 enterprise groups of 2016-2019 (leading, high-growth, small and micro technology
    enterprises), zone by zone, from their own random stream (the older files do not change)."""
    rng = np.random.default_rng(seed + 1)
    existing = _existing(registry)
    rows = []
    for zone in registry["zone_id"]:
        years = existing.loc[existing["zone_id"] == zone, "year"].tolist()
        if not years:
            continue
        size = NATIONAL_SIZE.get(zone, float(rng.uniform(0.15, 0.6)))
        n = len(years)
        leading = np.round(_series(rng, 1.2 * size + rng.uniform(0, 1.5), 0.12, 0.05, n))
        growth = np.round(_series(rng, 12.0 * size + rng.uniform(1, 8), 0.17, 0.05, n))
        small = np.round(_series(rng, 120.0 * size + rng.uniform(10, 60), 0.2, 0.05, n))
        rows += [
            {"zone_id": zone, "year": y, **dict(zip(GROUP_COLUMNS, (leading[i], growth[i], small[i]), strict=True))}
            for i, y in enumerate(years)
        ]
    return pd.DataFrame(rows)


def generate_recent(registry: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Zone statistics for 2025 and 2026 (canonical units), for the 2026-2028 plan."""
    rng = np.random.default_rng(seed + 2025)
    existing = _existing(registry, RECENT_YEARS)
    national = set(existing.loc[existing["level"] == "national", "zone_id"])
    rows = []
    for zone in registry["zone_id"]:
        years = existing.loc[existing["zone_id"] == zone, "year"].tolist()
        if not years:
            continue
        size = NATIONAL_SIZE.get(zone, 1.0 if zone == "ningxiang" else float(rng.uniform(0.15, 0.6)))
        n = len(years)
        hte = np.round(_series(rng, 150.0 * size + rng.uniform(10, 40), 0.08, 0.03, n))
        above = np.round(hte * rng.uniform(0.35, 0.55))
        with_rd = np.minimum(
            np.round(above * np.clip(_series(rng, rng.uniform(0.7, 0.95), 0.03, 0.02, n), 0, 1)), above
        )
        revenue = _series(rng, 900.0 * size, 0.07, 0.02, n)
        share = np.clip(_series(rng, rng.uniform(0.42, 0.66), 0.02, 0.01, n), 0.2, 0.9)
        land = _series(rng, 9000.0 * size + rng.uniform(2000, 6000), 0.01, 0.005, n)
        tax = revenue * rng.uniform(0.025, 0.04) * _series(rng, 1.0, float(rng.uniform(-0.02, 0.14)), 0.02, n)
        rank = (
            np.clip(
                np.round(_series(rng, float(rng.integers(8, 150)), float(rng.uniform(-0.08, 0.04)), 0.03, n)), 1, 178
            )
            if zone in national
            else np.full(n, np.nan)
        )
        for i, year in enumerate(years):
            rows.append(
                {
                    "zone_id": zone,
                    "year": year,
                    "high_tech_enterprises": hte[i],
                    "above_size_hte": above[i],
                    "above_size_hte_with_rd": with_rd[i],
                    "revenue": revenue[i],
                    "high_tech_industry_revenue": revenue[i] * share[i],
                    "tax_revenue": tax[i],
                    "land_area": land[i],
                    "national_rank": rank[i],
                }
            )
    return pd.DataFrame(rows)


def _written(value: float, scale: float, decimals: int) -> float | int | None:
    """A value as an office writes it in the table's unit: rounded, a whole number for counts."""
    if pd.isna(value):
        return None
    return round(float(value) * scale, decimals) if decimals else round(float(value) * scale)


def office_workbook(
    frame: pd.DataFrame,
    registry: pd.DataFrame,
    title: str,
    groups: list[tuple[str, list[tuple[str, str, float, int]]]],
    note: str,
) -> bytes:
    """One year as a statistics office sends it: a merged title naming the year, a unit line, a header
    over two rows (merged group headers over their columns), 序号, the zone rows, a 合计 row and
    footnotes. `groups`: (group header, [(column header, indicator, scale, decimals)])."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    names = dict(zip(registry["zone_id"], registry["name_zh"], strict=True))
    columns = [c for _, cs in groups for c in cs]
    width = 2 + len(columns)
    book = Workbook()
    sheet = book.active
    year = int(frame["year"].iloc[0])
    sheet.title = f"{year}年"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["单位：万元、家"])
    upper = ["序号", "高新区"]
    lower = ["", ""]
    for group, cs in groups:
        upper += [group] + [None] * (len(cs) - 1)
        lower += [c[0] for c in cs] if len(cs) > 1 else [None]
    sheet.append(upper)
    sheet.append(lower)
    sheet.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    sheet.merge_cells(start_row=3, start_column=2, end_row=4, end_column=2)
    column = 3
    for _, cs in groups:
        if len(cs) > 1:
            sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + len(cs) - 1)
        else:
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        column += len(cs)
    for cell in sheet[4]:
        cell.alignment = Alignment(wrap_text=True)
    for index, row in enumerate(frame.itertuples(index=False), start=1):
        name = short_name_zh(names[row.zone_id])
        values = [_written(getattr(row, indicator), scale, decimals) for _, indicator, scale, decimals in columns]
        sheet.append([index, name, *values])
    totals = []
    for _, indicator, scale, decimals in columns:
        parts = [_written(v, scale, decimals) for v in frame[indicator]]
        # Ranks have no total; the total of the written figures is what an office would print.
        totals.append(None if indicator == "national_rank" else round(sum(parts), decimals))
    sheet.append(["", "合计", *totals])
    sheet.append([note])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
    sheet.append(["数据来源：zonetrack demo (示例数据 illustrative, seed 2017)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_xlsx(buffer.getvalue())


GROUPS_LAYOUT = [
    (
        "科技企业梯队",
        [
            ("科技创新领军企业", "leading_innovative_enterprises", 1, 0),
            ("高成长性科技创新企业", "high_growth_tech_enterprises", 1, 0),
            ("科技型小微企业", "tech_small_micro_enterprises", 1, 0),
        ],
    )
]
RECENT_LAYOUT = [
    (
        "高新技术企业",
        [
            ("高新技术企业数", "high_tech_enterprises", 1, 0),
            ("规上高新技术企业数", "above_size_hte", 1, 0),
            ("设有研发机构的规上高新技术企业数", "above_size_hte_with_rd", 1, 0),
        ],
    ),
    (
        "经济指标",
        [
            ("营业收入", "revenue", 1e4, 1),
            ("高新技术产业营业收入", "high_tech_industry_revenue", 1e4, 1),
            ("税收收入", "tax_revenue", 1e4, 1),
        ],
    ),
    ("用地面积\n(亩)", [("用地面积\n(亩)", "land_area", 1, 0)]),
    ("国家高新区综合评价排名(位)", [("国家高新区综合评价排名(位)", "national_rank", 1, 0)]),
]
OFFICE_NOTE = "注：本表为示例数据,由zonetrack demo生成,不是官方统计;国家高新区综合评价排名为示例。"


PERFORMANCE_HEADERS = [
    ("出口总额(万元)", "exports", 1e4, 1),
    ("综合能耗(吨标准煤)", "energy_consumption", 1e4, 0),
    ("从业人员(人)", "employees", 1e4, 0),
    ("税收收入(万元)", "tax_revenue", 1e4, 1),
    ("用地面积(亩)", "land_area", 1, 0),
    ("技术合同成交额(万元)", "tech_contract_value", 1e4, 1),
    ("研发经费支出(万元)", "rd_expenditure", 1e4, 1),
    ("高新技术产业增加值(万元)", "high_tech_value_added", 1e4, 1),
    ("有效发明专利拥有量(件)", "invention_patents", 1, 0),
    ("常住人口(人)", "population", 1e4, 0),
    ("科技型中小企业数(家)", "tech_smes", 1, 0),
    ("省级科技企业孵化器(个)", "provincial_incubators", 1, 0),
]


def generate_performance(registry: pd.DataFrame, stats: pd.DataFrame, recent: pd.DataFrame, seed: int) -> pd.DataFrame:
    """What the performance evaluation reads besides the plans' indicators: exports, energy,
    employees (and tax and land for 2016-2019) in both periods, and for 2025-2026 the innovation
    indicators the older files hold for 2016-2019. Its own random stream: the older files do not
    change."""
    rng = np.random.default_rng(seed + 3)
    rows = []
    older = stats.set_index(["zone_id", "year"])
    newer = recent.set_index(["zone_id", "year"])
    for zone in registry["zone_id"]:
        export_share = float(rng.uniform(0.05, 0.35))
        intensity = float(rng.uniform(0.04, 0.2))  # 吨标准煤 per 万元 of revenue
        per_employee = float(rng.uniform(120, 320))  # 万元 of revenue per person
        land = float(rng.uniform(4000, 20000))
        tax_share = float(rng.uniform(0.02, 0.045))
        for years, source in ((YEARS, older), (RECENT_YEARS, newer)):
            present = [y for y in years if (zone, y) in source.index]
            if not present:
                continue
            trend = _series(rng, 1.0, float(rng.uniform(-0.06, 0.04)), 0.03, len(present))
            for i, year in enumerate(present):
                revenue = float(source.loc[(zone, year), "revenue"])
                row = {
                    "zone_id": zone,
                    "year": year,
                    "exports": revenue * export_share * trend[i],
                    "energy_consumption": revenue * intensity * trend[i],
                    "employees": revenue / per_employee,
                }
                if years is YEARS:
                    row |= {"tax_revenue": revenue * tax_share * trend[i], "land_area": land * (1 + 0.01 * i)}
                else:
                    size = revenue / 900.0
                    population = 3.0 + 6.0 * size * float(rng.uniform(0.8, 1.2))
                    row |= {
                        "tech_contract_value": revenue * float(rng.uniform(0.004, 0.02)),
                        "rd_expenditure": revenue * float(rng.uniform(0.022, 0.045)),
                        "high_tech_value_added": revenue * float(rng.uniform(0.22, 0.34)),
                        "invention_patents": round(population * float(rng.uniform(15, 60))),
                        "population": population,
                        "tech_smes": round(400 * size + float(rng.uniform(20, 120))),
                        "provincial_incubators": int(rng.integers(0, 4)),
                    }
                rows.append(row)
    return pd.DataFrame(rows)


def performance_csv(frame: pd.DataFrame, registry: pd.DataFrame) -> bytes:
    """The evaluation's extra indicators, 2016-2026, as a wide UTF-8 CSV with units in the headers."""
    names = dict(zip(registry["zone_id"], registry["name_zh"], strict=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["高新区", "年份", *(h for h, *_ in PERFORMANCE_HEADERS), "备注"])
    for row in frame.sort_values(["year", "zone_id"]).itertuples(index=False):
        values = [_written(getattr(row, c, np.nan), scale, d) for _, c, scale, d in PERFORMANCE_HEADERS]
        writer.writerow([short_name_zh(names[row.zone_id]), row.year, *("" if v is None else v for v in values), NOTE])
    return buffer.getvalue().encode("utf-8")


# Zones added to zones.csv after the illustrative default was generated (five provincial zones the
# 2018 national catalog lists): the default has no figures for them, so its seeded draws, and every
# figure already published from them, stay as they were. They are in the registry, without data.
NOT_IN_THE_DEFAULT = frozenset({"shaoshan", "hengyang_xidu", "yueyang", "hanshou", "yuanjiang"})


def default_zones(registry: pd.DataFrame) -> pd.DataFrame:
    """The zones the illustrative default has figures for."""
    return registry[~registry["zone_id"].isin(NOT_IN_THE_DEFAULT)].reset_index(drop=True)


def demo_files(registry: pd.DataFrame, seed: int) -> dict[str, bytes]:
    """Every file of the embedded default, by path relative to data/raw."""
    registry = default_zones(registry)
    stats, clusters = generate(registry, seed)
    groups = generate_groups(registry, seed)
    recent = generate_recent(registry, seed)
    performance = generate_performance(registry, stats, recent, seed)
    files = {
        "stats/economy_wide_gb18030.csv": economy_csv(stats, registry),
        "stats/carriers.xlsx": carriers_xlsx(stats, registry),
        "stats/services_long.csv": services_long_csv(stats),
        "stats/performance_2016_2026.csv": performance_csv(performance, registry),
        "clusters.csv": clusters_csv(clusters),
    }
    for year in YEARS:
        part = groups[groups["year"] == year]
        title = f"{year}年湖南省高新区科技企业梯队情况(示例数据)"
        files[f"stats/{year}年科技企业梯队.xlsx"] = office_workbook(part, registry, title, GROUPS_LAYOUT, OFFICE_NOTE)
    for year in RECENT_YEARS:
        part = recent[recent["year"] == year]
        title = f"{year}年湖南省高新技术产业开发区主要指标(示例数据)"
        files[f"stats/{year}年高新区主要指标.xlsx"] = office_workbook(part, registry, title, RECENT_LAYOUT, OFFICE_NOTE)
    return files


EXAMPLE_YEAR = 2027
# The README's new-year loop: a statistics office's first return for 2027, in which one zone's
# revenue was written in 亿元 under the table's 万元 (10,000 times too small), and its correction.
EXAMPLE_FIRST = f"{EXAMPLE_YEAR}年高新区主要指标_初报.xlsx"
EXAMPLE_CORRECTED = f"{EXAMPLE_YEAR}年高新区主要指标_更正.xlsx"
EXAMPLE_MISTAKE_ZONE = "zhuzhou"


def generate_example_year(recent: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The 2026 statistics carried one year on: counts, amounts and land grow by drawn rates, the
    enterprises with an R&D institution stay within the above-size ones, ranks move a few places."""
    rng = np.random.default_rng(seed + EXAMPLE_YEAR)
    last = recent[recent["year"] == RECENT_YEARS[-1]].reset_index(drop=True)
    n = len(last)
    out = last.copy()
    out["year"] = EXAMPLE_YEAR
    for column, rate, spread in (
        ("high_tech_enterprises", 0.08, 0.03),
        ("above_size_hte", 0.07, 0.03),
        ("revenue", 0.07, 0.02),
        ("tax_revenue", 0.06, 0.05),
        ("land_area", 0.01, 0.005),
    ):
        out[column] = last[column] * (1 + rng.normal(rate, spread, n))
    for column in ("high_tech_enterprises", "above_size_hte"):
        out[column] = out[column].round()
    out["above_size_hte_with_rd"] = np.minimum(
        np.round(last["above_size_hte_with_rd"] * (1 + rng.normal(0.06, 0.03, n))), out["above_size_hte"]
    )
    share = (last["high_tech_industry_revenue"] / last["revenue"]) * (1 + rng.normal(0.02, 0.01, n))
    out["high_tech_industry_revenue"] = out["revenue"] * share.clip(0.2, 0.9)
    out["national_rank"] = (last["national_rank"] + rng.integers(-6, 4, n)).clip(1, 178)
    return out


def example_files(registry: pd.DataFrame, seed: int) -> dict[str, bytes]:
    """The two 2027 workbooks of the README's new-year loop (illustrative, like the demo's)."""
    registry = default_zones(registry)
    year = generate_example_year(generate_recent(registry, seed), seed)
    title = f"{EXAMPLE_YEAR}年湖南省高新技术产业开发区主要指标(示例数据)"
    mistaken = year.copy()
    at = mistaken["zone_id"] == EXAMPLE_MISTAKE_ZONE
    mistaken.loc[at, "revenue"] = mistaken.loc[at, "revenue"] / 1e4  # its 亿元 figure, written under 万元
    return {
        EXAMPLE_FIRST: office_workbook(mistaken, registry, title, RECENT_LAYOUT, OFFICE_NOTE),
        EXAMPLE_CORRECTED: office_workbook(year, registry, title, RECENT_LAYOUT, OFFICE_NOTE),
    }


def write_examples(raw: Path, folder: Path, seed: int) -> list[Path]:
    """Write the example workbooks into `folder` (never into data/raw: an analyst puts them there)."""
    registry = load_registry(raw / "zones.csv")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in example_files(registry, seed).items():
        path = folder / name
        if path.exists() and path.read_bytes() == content:
            continue
        path.write_bytes(content)
        written.append(path)
    return written


class DemoWouldOverwrite(ValueError):
    """The demo would replace files that differ from what it writes."""


def write_demo(raw: Path, seed: int, force: bool = False) -> list[Path]:
    """Write the illustrative files under raw (zones.csv must already be there). A file that exists
    and differs from what the demo writes (edited by hand, or from another seed) is not replaced
    unless `force`; the files written are returned."""
    registry = load_registry(raw / "zones.csv")
    files = demo_files(registry, seed)
    differing = [raw / r for r, content in files.items() if (raw / r).exists() and (raw / r).read_bytes() != content]
    if differing and not force:
        listed = ", ".join(p.as_posix() for p in differing)
        raise DemoWouldOverwrite(
            f"these files differ from what the demo writes (edited, or written with another seed): {listed}; "
            "nothing was written. Move them away, or rerun with --force to overwrite them"
        )
    written = []
    for relative, content in files.items():
        path = raw / relative
        if path.exists() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
