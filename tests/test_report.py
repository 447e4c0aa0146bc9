"""What a report shows, section by section, on a tiny world with zones named like attacks: escaped
HTML, plain-text charts, banners, what it would take, per-zone sections, the Excel workbook."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from tests.conftest import with_scenario
from tests.world import FORMULA, MATHTEXT, XSS, build

from zonetrack.report import charts, data, excel, plots, sections
from zonetrack.report.data import load_plan_report
from zonetrack.report.formatting import STATUS
from zonetrack.report.publish import strip_volatile


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("world"))


def report_of(world, plan="hunan-2017-2019", experiment=""):
    return load_plan_report(
        world["plans"] / f"{plan}.yaml",
        world["params"],
        world["processed"] / plan,
        world["processed"],
        world["raw"],
        experiment,
    )


@pytest.fixture(scope="module")
def report(world):
    plots.theme()
    return report_of(world)


def test_strings_from_data_are_escaped_everywhere(report):
    page = "".join(
        getattr(sections, name)(report, 2019) for name in ("title", "headline", "heatmap", "zones", "sources")
    )
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_dollar_in_a_zone_name_is_text_in_charts(report):
    # matplotlib would parse $\frac{1}{0}$ as mathtext and raise; with parse_math off it is drawn as is.
    assert MATHTEXT in report.zone_names.values()
    chart = charts.target_chart(report, 2019, "tech_contract_growth")
    assert chart and len(chart) > 1000


def test_headline_shows_the_scorecard_status_with_its_coverage(report):
    html = sections.headline(report, 2019)
    card = report.scorecard[(report.scorecard["year"] == 2019) & (report.scorecard["zone_id"] == "ALL")]
    shown = dict(re.findall(r'href="#target-(\w+)".*?class="status s-(\w+)"', html, flags=re.S))
    assert shown == dict(zip(card["target_id"], card["status"], strict=True))
    # changsha 10 → 20 (26.0 %/yr) and xss 1 → 2.1 (28.1 %/yr) meet 25 %; dollar 2 → 2.2 does not.
    assert shown["tech_contract_growth"] == "not_met"
    assert "Coverage" in html and "100.00%" in html


def test_every_status_reads_from_one_table(report):
    assert set(report.scorecard["status"]) <= set(STATUS)
    css = sections.css()
    for code, row in STATUS.items():
        assert f".s-{code} {{ background: {row['colour']}" in css


def test_scenario_banner_names_the_experiment_and_each_change(world, tmp_path):
    params = tmp_path / "params.yaml"
    text = world["params"].read_text(encoding="utf-8")
    scenario_text = "{targets: {tech_contract_growth: {min_rate: 0.2}}}"
    params.write_text(with_scenario(text, "hunan-2017-2019", scenario_text), encoding="utf-8")
    scenario = load_plan_report(
        world["plans"] / "hunan-2017-2019.yaml",
        params,
        world["processed"] / "hunan-2017-2019",
        world["processed"],
        world["raw"],
        "tcg-20",
    )
    title = sections.title(scenario, 2019)
    assert "情景 Scenario <code>tcg-20</code>" in title
    assert "<code>targets.tech_contract_growth.min_rate</code></td><td>0.25</td><td>0.2</td>" in title
    assert "Illustrative data" in title
    # The chart's title shows the scenario's rate, not the plan's sentence.
    assert "≥ 20.0%/年" in sections.targets(scenario, 2019)


def test_what_it_would_take_for_an_unmet_total(world):
    report = report_of(world, "made-up-2020-2022")
    html = sections.targets(report, 2021)
    # 2021: 25 + 25 = 50 against 60 → 10 亿元 short. Achieved since 2020: 50/40 − 1 = 25 %/年; required
    # in 2022: 60/50 − 1 = 20 %/年; projection 50 · 1.25 = 62.5 in 2022; reached in 2022.
    assert "差 10.00 亿元 short" in html
    assert "20.0%/年 in 2022-2022 (achieved so far 25.0%/年 since 2020)" in html
    assert "62.50 亿元 in 2022 at the rate achieved so far; the target would be reached in 2022" in html
    # Threshold: met in 2021 if the target were 50 亿元 or less.
    assert "met if the threshold were 50.00 亿元 or less (this run: 60.00 亿元)" in html


def test_a_zone_is_a_part_of_a_total_not_a_verdict(world):
    report = report_of(world, "made-up-2020-2022")
    # revenue_total: changsha + zhuzhou together reach 60 亿元. In 2021 each zone has 25: against 60
    # alone it would read "not met"; it is a part of the total, with its part of the gap: its base
    # value scaled to the total's target, 20 · 60/40 = 30, less its 25 → 5 亿元 (5 + 5 = the gap 10).
    heat = sections.heatmap(report, 2021)
    assert heat.count('<td class="c part"') == 2
    zones = sections.zones(report, 2021)
    changsha = zones[zones.index('id="zone-changsha"') : zones.index('id="zone-zhuzhou"')]
    row = changsha[changsha.index("revenue_total") :]
    row = row[: row.index("</tr>")]
    assert "Σ 60.00" in row and ">5.00<" in row and "计入合计" in row and "not met" not in row
    # The growth target on every zone is still a verdict per zone (2 → 2.4, on track to 2.42 by 2022).
    assert "contracts_each" in changsha and "s-on_track" in changsha
    book = load_workbook(io.BytesIO(excel.workbook(report, 2021)))
    sheet = book["zones 分园区"]
    header = [excel.column_id(c.value) for c in sheet[1]]
    statuses = {
        (r[header.index("zone_id")], r[header.index("target_id")]): r[header.index("status_en")]
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert statuses[("changsha", "revenue_total")] == "part of the total (no verdict per zone)"
    assert statuses[("changsha", "contracts_each")] == "on track"


def test_zone_sections_are_linked_from_the_heat_map(report):
    heat = sections.heatmap(report, 2019)
    zones = sections.zones(report, 2019)
    for zone_id in ("changsha", "xss", "dollar"):
        assert f'href="#zone-{zone_id}"' in heat
        assert f'id="zone-{zone_id}"' in zones
    # The zone's section lists its targets with their value by year.
    changsha = zones[zones.index('id="zone-changsha"') : zones.index('id="zone-changsha"') + 20000]
    assert "技术合同成交额年均增长" in changsha and "<th>2017</th>" in changsha


def test_the_plan_page_lists_every_zone_with_links_to_its_sections(world):
    from zonetrack.report.data import zone_index
    from zonetrack.report.index import plan_html

    made_up = report_of(world, "made-up-2020-2022")
    # Both zones' contract turnover grows 2 -> 2.4 from 2020 to 2021: +20 %/yr against 10 % a year to
    # 2022, whose end value 2 × 1.1² = 2.42 is not reached yet: R = 0.20/0.10 = 2, on track; the
    # revenue target is on the zones' total, so neither zone has a verdict of its own on it.
    assert [(z["id"], z["short"], z["years"], z["latest"], z["counts"]) for z in zone_index(made_up)] == [
        ("changsha", "长沙高新区", [2021], 2021, [("on_track", 1)]),
        ("zhuzhou", "株洲高新区", [2021], 2021, [("on_track", 1)]),
    ]
    plots.theme()  # the page's status chart draws Chinese labels
    page = plan_html(made_up)
    assert page.count('href="2021/assessment.html#zone-changsha"') == 2  # the name and the year
    assert 'id="zones"' in page and 'href="2021/assessment.html#zone-zhuzhou"' in page


def test_a_gap_in_a_share_is_in_percentage_points_and_other_gaps_in_their_unit():
    from types import SimpleNamespace

    from zonetrack.report.formatting import difference

    share = SimpleNamespace(display="percent", unit="%")
    count = SimpleNamespace(display="integer", unit="家")
    # 100 % - 82.614 % = 17.386 points: "17.39%" would read as 17.39 % of something.
    assert difference(1.0 - 0.82614, share) == "17.39 个百分点 pp"
    assert difference(1.0 - 0.82614, share, unit=False) == "17.39 个百分点 pp"
    assert difference(7801 - 7183, count) == "618 家" and difference(618, count, unit=False) == "618"
    assert difference(float("nan"), share) == "—"


def test_print_stylesheet_keeps_tables_whole_and_sections_on_new_pages():
    css = sections.css()
    assert "@media print" in css and "@page { size: A4" in css
    assert "break-before: page" in css and "table-layout: auto" in css


def test_excel_workbook_has_views_statuses_in_both_languages_and_no_formulas(report):
    from dataclasses import replace

    # zones.csv refuses a name that starts like a formula; the workbook still writes any such text
    # as text (a registry changed after loading stands for every other way one could arrive).
    registry = report.registry.copy()
    registry.loc[registry["zone_id"] == "xss", "name_zh"] = FORMULA
    report = replace(report, registry=registry)
    book = load_workbook(io.BytesIO(excel.workbook(report, 2019)))
    assert book.sheetnames == ["headline 总览", "zones 分园区", "gaps 差距"]
    zones = book["zones 分园区"]
    header = [excel.column_id(c.value) for c in zones[1]]
    assert {"status_zh", "status_en", "zone_name", "target_zh", "unit"} <= set(header)
    # Each header is Chinese over its id; the unit column says each figure's unit.
    assert zones.cell(row=1, column=header.index("zone_name") + 1).value == "园区\nzone_name"
    assert zones.cell(row=1, column=header.index("status_zh") + 1).value == "状态\nstatus_zh"
    assert zones.freeze_panes == "A2" and zones.auto_filter.ref
    names = [zones.cell(row=r, column=header.index("zone_name") + 1) for r in range(2, zones.max_row + 1)]
    formula = [c for c in names if c.value == FORMULA]
    assert formula and all(c.data_type == "s" for c in formula)  # text, never evaluated
    status = {zones.cell(row=r, column=header.index("status_en") + 1).value for r in range(2, zones.max_row + 1)}
    assert "not met" in status and "met" in status
    headline = book["headline 总览"]
    h = [excel.column_id(c.value) for c in headline[1]]
    # The plan's order of targets, not the ids' alphabetical order.
    shown = [headline.cell(row=r, column=h.index("target_id") + 1).value for r in range(2, headline.max_row + 1)]
    assert shown == [t for t in report.plan.targets if t in shown] and shown != sorted(shown)
    units = {
        headline.cell(row=r, column=h.index("target_id") + 1).value: headline.cell(
            row=r, column=h.index("unit") + 1
        ).value
        for r in range(2, headline.max_row + 1)
    }
    each = {t for t in shown if getattr(report.plan.targets[t], "scope", "") == "each"}
    assert each and all(units[t] == "园区占比 share of zones" for t in each)  # a share of zones, not 个 or %
    assert all(units[t] == report.plan.targets[t].unit for t in set(shown) - each)
    value = headline.cell(row=2, column=h.index("coverage") + 1)
    assert value.number_format == "0.0%"
    # An each-target's value is the share of zones meeting it: a percent (0.375 → 37.5%), never #,##0
    # (which showed 0 against a target of 1).
    targets = report.plan.targets
    checked = 0
    for r in range(2, headline.max_row + 1):
        target = targets[headline.cell(row=r, column=h.index("target_id") + 1).value]
        cell = headline.cell(row=r, column=h.index("value") + 1)
        if getattr(target, "scope", "") == "each" and isinstance(cell.value, float):
            assert cell.number_format == "0.0%"
            assert headline.cell(row=r, column=h.index("target_value") + 1).number_format == "0.0%"
            checked += 1
    assert checked >= 2  # tech_contract_growth and the each-zone counts, at least


def test_strip_volatile_makes_ids_and_timings_stable():
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"start_time": "x", "duration": 1.0, "parameters": {"year": 2019}}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["execution"] = {"iopub.status.busy": "t"}
    notebook.cells = [cell]
    stripped = strip_volatile(notebook)
    assert stripped.metadata["papermill"] == {"parameters": {"year": 2019}}
    assert stripped.cells[0]["id"] == "cell-00" and "execution" not in stripped.cells[0].metadata


def test_the_page_of_a_notebook_shows_outputs_never_code_and_text_stays_text():
    import nbformat

    from zonetrack.report import publish

    code = nbformat.v4.new_code_cell("secret_source_line = 1")
    code.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": "<p class='zt'>section</p>", "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stderr", text=f"warning: {XSS}"),
        nbformat.v4.new_output("execute_result", {"text/plain": "<b>plain</b>"}, execution_count=1),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=\n"}),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 说明 *note*"), code])
    page = publish.notebook_html(notebook, f"2019 {XSS}")
    assert "secret_source_line" not in page
    assert "<h2>说明 <em>note</em></h2>" in page and "<p class='zt'>section</p>" in page
    # A printed warning and a plain value are shown as text: their markup is escaped, not run.
    assert XSS not in page and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # title and stream
    assert '<pre class="stream stderr">' in page and "&lt;b&gt;plain&lt;/b&gt;" in page
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in page


def test_zone_bars_draw_missing_apart_from_zero():
    plots.theme()
    rows = pd.DataFrame(
        {"zone_id": ["a", "b", "c"], "metric": [0.0, float("nan"), 3.0], "status": ["not_met", "no_data", "met"]}
    )
    figure = plots.zone_bars(rows, "t", "x", 2.0, {}, whole=True)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "0" in texts and "3" in texts  # zero is a value, labelled
    assert "无数据 no data" in texts  # missing says so beside a hatched placeholder, never a bar of 0


def test_contribution_bars_carry_their_values_and_zone_names_even_at_zero():
    plots.theme()
    rows = pd.DataFrame({"zone_id": ["a", "b", "c"], "contribution": [3.0, 0.0, -2.0]})
    figure = plots.contribution_bars(rows, "t", "家", {"a": "甲高新区", "b": "乙高新区"}, whole=True)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert {"3", "0", "-2"} <= set(texts)  # a zero part is written, not an absent bar
    assert {"甲高新区", "乙高新区", "c"} <= set(texts)  # a zone without a Chinese name keeps its id


def test_the_status_count_chart_has_one_tick_per_year_even_for_a_single_year():
    plots.theme()
    one = pd.DataFrame({"met": [1], "not_met": [6]}, index=pd.Index([2026], name="year"))
    figure = plots.status_counts_chart(one)
    figure.canvas.draw()
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["2026"]
    three = pd.DataFrame({"met": [1, 3, 7], "not_met": [26, 24, 20]}, index=pd.Index([2017, 2018, 2019]))
    figure = plots.status_counts_chart(three)
    figure.canvas.draw()
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["2017", "2018", "2019"]


def _shown_ticks(axis) -> list[float]:
    low, high = axis.get_view_interval()
    return [float(t) for t in axis.get_majorticklocs() if low <= t <= high]


def test_a_flat_count_has_whole_ticks_on_its_path_chart():
    plots.theme()
    # 2 new zones every year against a target of 2: the axis shows 1, 2, 3, not 1.875 … 2.125.
    flat = pd.DataFrame({"year": [2016, 2017, 2018, 2019], "value": [2.0, 2.0, 2.0, 2.0]})
    figure = plots.path_chart(flat, "t", "个", 2016, 2019, 2.0, whole=True)
    assert _shown_ticks(figure.axes[0].yaxis) == [1.0, 2.0, 3.0]
    zeros = flat.assign(value=0.0)  # none at all: 0 and 1, no negative count
    figure = plots.path_chart(zeros, "t", "个", 2016, 2019, None, whole=True)
    assert _shown_ticks(figure.axes[0].yaxis) == [0.0, 1.0]


def test_the_projection_is_labelled_as_one_with_its_value_and_kept_apart_from_the_data():
    plots.theme()
    data = pd.DataFrame({"year": [2016, 2017, 2018], "value": [23.92, 25.54, 26.53]})
    projection = pd.DataFrame({"year": [2018, 2019], "value": [26.53, 27.95]})
    figure = plots.path_chart(data, "t", "件/万人", 2016, 2019, 30.0, projection=projection)
    axes = figure.axes[0]
    assert "预测 27.95" in [t.get_text() for t in axes.texts]  # the projected value, named a projection
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert list(lines["实际 actual"].get_xdata()) == [2016, 2017, 2018]  # data never runs into 2019
    assert lines["预测 projection (rate so far)"].get_linestyle() == ":"


def test_status_changes_between_the_plan_and_a_scenario():
    from zonetrack.report.compare import status_changes

    plan = pd.DataFrame({"year": [2019] * 3, "target_id": ["t"] * 3, "zone_id": ["ALL", "x", "y"]})
    plan["status"] = ["not_met", "met", "not_met"]
    run = plan.assign(status=["met", "met", "met"])
    assert status_changes(plan, run) == [
        {"year": 2019, "target": "t", "zone": "ALL", "all": True, "before": "not_met", "after": "met"},
        {"year": 2019, "target": "t", "zone": "y", "all": False, "before": "not_met", "after": "met"},
    ]


def test_an_experiment_whose_outputs_cannot_be_read_is_never_nothing_changes(tmp_path, monkeypatch):
    from zonetrack.report import compare

    card = "year,target_id,zone_id,status\n2019,t,ALL,met\n"
    (tmp_path / "data/processed/p").mkdir(parents=True)
    (tmp_path / "data/processed/p/scorecard.csv").write_text(card, encoding="utf-8")
    monkeypatch.setattr(compare, "_read", lambda path, rev, repo: card if rev is None else None)
    gone = compare.Experiment("gone", "abcdef123", "base")
    compared = compare.changes(["p"], [gone], tmp_path)
    text = compare.as_text(compared)
    assert "not compared: the scorecard of p could not be read at abcdef1" in text
    assert "0 target verdict(s) and 0 zone status(es) change among the plans compared" in text
    assert "未比较 Not compared" in compare.as_html(compared, {})


def test_the_stylesheet_reaches_the_page_unescaped(report):
    # Quotes in CSS stay quotes: as &#34; the font stack and attribute selectors would be dropped
    # (a <style> element does not decode entities). Data in the same section is still escaped.
    title = sections.title(report, 2019)
    style = title[title.index("<style>") : title.index("</style>")]
    assert '"zonetrack CJK"' in style and 'a[href^="http"]' in style
    assert "&#34;" not in style
    assert XSS not in title


def test_the_index_names_a_year_of_data_that_no_plan_covers(world, tmp_path):
    import json
    import shutil

    from zonetrack.report.index import index_html

    processed = tmp_path / "processed"
    shutil.copytree(world["processed"], processed)
    quality_file = processed / "data_quality.json"
    quality = json.loads(quality_file.read_text(encoding="utf-8"))
    # 2016-2019 are the 2017-2019 plan's, 2020-2022 the made-up plan's; 2024 is no plan's.
    quality["years"] = sorted({*quality["years"], 2024})
    quality_file.write_text(json.dumps(quality), encoding="utf-8")
    page = index_html(world["plans"], processed)
    assert "data for 2024, but no plan in params.yaml covers this year" in page
    assert "data for 2021," not in page


def test_a_sum_over_one_zone_is_that_zones_own_verdict(world):
    from dataclasses import replace

    made_up = report_of(world, "made-up-2020-2022")
    assert "revenue_total" in made_up.part_targets  # changsha and zhuzhou: parts of the total
    # The same plan's scorecard with one zone only (a plan of one zone): no Σ, the zone's own verdict.
    card = made_up.scorecard
    alone = replace(made_up, scorecard=card[card["zone_id"].astype(str).isin(["ALL", "changsha"])])
    assert "revenue_total" not in alone.part_targets


def test_a_base_the_plan_states_is_said_to_come_from_the_plan(world):
    from dataclasses import replace

    made_up = report_of(world, "made-up-2020-2022")
    plan = made_up.plan
    stated = plan.targets["revenue_total"].model_copy(update={"base_value": 40.0, "base_source": "§2: 40亿元 in 2020"})
    run = replace(made_up.run, plan=plan.model_copy(update={"targets": {**plan.targets, "revenue_total": stated}}))
    lines = dict(data.what_it_would_take(replace(made_up, run=run), 2021, "revenue_total")["lines"])
    assert lines["基期 Base"] == "40.00 亿元 in 2020, 取自规划文本 as the plan states it: §2: 40亿元 in 2020"


def test_charts_use_the_bundled_font_file_even_where_a_system_font_has_its_name(tmp_path):
    # A machine with Debian's Noto Sans CJK has a second font called "Noto Sans CJK SC": matplotlib
    # would pick either. Simulated with a copy of the bundled file under another path and the same name.
    import shutil

    from matplotlib import font_manager

    plots.theme()
    system_copy = tmp_path / "NotoSansCJK-Regular.ttc.otf"
    shutil.copy(plots.font_path(), system_copy)
    font_manager.fontManager.addfont(str(system_copy))
    assert len([f for f in font_manager.fontManager.ttflist if f.name == plots.FONT_NAME]) >= 2
    plots.theme()
    named = [f.fname for f in font_manager.fontManager.ttflist if f.name == plots.FONT_NAME]
    assert named == [str(plots.font_path())]
    font_manager.fontManager._findfont_cached.cache_clear()  # found afresh, as a new kernel would
    found = font_manager.findfont(font_manager.FontProperties(family=plots.FONT_NAME), fallback_to_default=False)
    assert found == str(plots.font_path())


def test_every_headline_value_says_what_it_is():
    from tests.conftest import REPO

    from zonetrack.plans import load_plan
    from zonetrack.report.data import headline_value

    plan, _ = load_plan(REPO / "plans" / "hunan-2026-2028.yaml")
    tax = plan.targets["tax_per_mu_growth"]
    # A rate target: the level with its unit, then the rate achieved since the base year (0.1333 → 13.3 %).
    assert headline_value({"value": 25.33, "actual_rate": 0.1333}, tax, False, 2025) == (
        "25.33 万元/亩; 年均 +13.3%/年 since 2025"
    )
    # An `each` target: the share of zones meeting it, never a bare 25 % beside a 25 %/年 threshold.
    plan_2019, _ = load_plan(REPO / "plans" / "hunan-2017-2019.yaml")
    contracts = plan_2019.targets["tech_contract_growth"]
    assert (
        headline_value({"value": 0.25, "actual_rate": float("nan")}, contracts, True, 2016) == "25.00% 的园区 of zones"
    )
    # A level: with its unit.
    assert headline_value(
        {"value": 5144.47, "actual_rate": 0.1}, plan_2019.targets["high_tech_value_added"], False, 2016
    ) == ("5,144.47 亿元")


def test_every_sentence_data_asks_for_is_a_macro_of_the_sentences_template():
    # data.py names each sentence it says by its macro; a misspelt name would fail only on the year whose
    # data reaches that branch, so every name is looked up here.
    from pathlib import Path

    from zonetrack.report import html

    source = Path(data.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r'sentence\(\s*"(\w+)"', source))
    assert len(names) >= 15
    assert sorted(n for n in names if not hasattr(html._sentences(), n)) == []
    # A sentence is plain text: a field with markup comes back as it was given, for the page to escape.
    assert html.sentence("short", amount="<b>3</b>") == "差 <b>3</b> short"


def test_the_comparison_page_names_plans_targets_and_zones_in_chinese(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from zonetrack.report import compare

    before = "year,target_id,zone_id,status\n2019,hte_doubling,ALL,not_met\n2019,hte_doubling,changsha,not_met\n"
    after = before.replace("not_met", "met")
    monkeypatch.setattr(
        compare, "_read", lambda path, rev, repo: before if rev is None else (after if "score" in path else None)
    )
    (tmp_path / "data/processed/p").mkdir(parents=True)
    compared = compare.changes(["p"], [compare.Experiment("k18", "abcdef123", "base")], tmp_path)
    plan = SimpleNamespace(
        name_zh="某省高新区行动计划", targets={"hte_doubling": SimpleNamespace(name_zh="高新技术企业数翻番")}
    )
    page = compare.as_html(compared, {"changsha": "长沙高新区"}, {"p": plan})
    assert "某省高新区行动计划" in page and "高新技术企业数翻番" in page and "长沙高新区" in page
    assert "hte_doubling" not in page


def test_sources_name_reference_figures_in_chinese_and_say_which_have_no_address(report):
    from dataclasses import replace

    reference = pd.DataFrame(
        {
            "indicator": ["tech_contract_turnover", "rd_expenditure"],
            "year": ["2016", "2017"],
            "value": ["105.62", "1"],
            "unit": ["亿元", "亿元"],
            "source_url": ["NO_URL_RETURNED (search excerpt titled 某标题)", "https://example.org/a"],
            "quote": ["", ""],
        }
    )
    page = sections.sources(replace(report, reference=reference), 2019)
    assert "技术合同成交额" in page and "研发经费投入" in page
    assert "NO_URL_RETURNED" not in page and "tech_contract_turnover" not in page
    assert "未核实 unconfirmed: seen in a search excerpt without an\naddress (search excerpt titled 某标题)" in page
    assert '<a\nhref="https://example.org/a">' in page


def test_a_reading_shows_its_yaml_keys_as_code_and_escapes_everything_else():
    from zonetrack.report.html import code_spans

    assert (
        str(code_spans("use `scope: each` for <every> zone")) == "use <code>scope: each</code> for &lt;every&gt; zone"
    )
    # A span cannot smuggle markup: its text is escaped before it becomes code.
    assert str(code_spans("`<script>`")) == "<code>&lt;script&gt;</code>"
    assert str(code_spans("one ` alone")) == "one ` alone"


def test_the_quality_section_names_indicators_in_chinese(report):
    page = sections.quality(report, 2019)
    rows = data.quality(report, 2019)["rows"]
    assert rows and all(r["name"] == report.indicator_names[r["indicator"]] for r in rows)
    for r in rows:
        assert f'<td title="{r["indicator"]}">{r["name"]}</td>' in page  # the id only as the cell's tooltip
    assert "<code>" not in page.split("警告")[0]


def test_an_evaluation_page_reads_its_year_and_the_years_before_only():
    # A year's evaluation page holds nothing a later year changes (its audit, notes and links stop at
    # it), so a new year leaves it byte-identical and the stage reads it from the page cache.
    from zonetrack.report.evaluation_page import up_to

    audit = {
        "audits": {"2017/national": 1, "2018/national": 2},
        "coverage": {"2017/national": {"published": True}, "2018/provincial": {"published": False}},
        "notes": [{"year": 2017, "class": "national", "note": "a"}, {"year": 2018, "class": "national", "note": "b"}],
        "frameworks": {"national": {}},
        "settings": {"normalisation": "minmax"},
    }
    seen = up_to(audit, 2017)
    assert seen["audits"] == {"2017/national": 1}
    assert seen["coverage"] == {"2017/national": {"published": True}}
    assert seen["notes"] == [{"year": 2017, "class": "national", "note": "a"}]
    assert seen["frameworks"] == audit["frameworks"] and seen["settings"] == audit["settings"]
    assert up_to(audit, 2018) == audit


def test_rows_are_the_rows_a_mask_selects_in_order_with_their_index(report):
    # Every (year, target, zone) of the world's scorecard, and keys that are absent: rows() must give
    # exactly the rows `frame[(frame.year == y) & ...]` gives, with the same index labels, in the same
    # order; row() the first of them or None.
    card = report.scorecard
    keys = list(card[["year", "target_id", "zone_id"]].drop_duplicates().itertuples(index=False))
    keys += [(1999, "tech_contract_growth", "ALL"), (2019, "no_such_target", "ALL"), (2019, "hte_doubling", "nowhere")]
    for year, target_id, zone_id in keys:
        mask = (card["year"] == year) & (card["target_id"] == target_id) & (card["zone_id"] == zone_id)
        found = report.rows("scorecard", year=year, target_id=target_id, zone_id=zone_id)
        pd.testing.assert_frame_equal(found, card[mask])
        first = report.row("scorecard", year=year, target_id=target_id, zone_id=zone_id)
        if mask.any():
            pd.testing.assert_series_equal(first, card[mask].iloc[0])
        else:
            assert first is None
    # Fewer keys: a target's rows over every year and zone.
    by_target = report.rows("scorecard", target_id="hte_doubling")
    pd.testing.assert_frame_equal(by_target, card[card["target_id"] == "hte_doubling"])
    assert len(by_target) > 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(2016, 2019), st.sampled_from(["a", "b", "ALL"]), st.floats(-5, 5)), max_size=40),
    st.integers(2015, 2020),
    st.sampled_from(["a", "b", "ALL", "c"]),
)
def test_rows_equal_the_mask_on_any_table(report, records, year, zone):
    # Any table, any order, duplicates and absent keys: the index gives the mask's rows.
    from dataclasses import replace

    table = pd.DataFrame(records, columns=["year", "zone_id", "value"], index=[f"r{i}" for i in range(len(records))])
    shuffled = replace(report, gaps=table.astype({"year": "int64", "value": "float64"}))
    expected = shuffled.gaps[(shuffled.gaps["year"] == year) & (shuffled.gaps["zone_id"] == zone)]
    pd.testing.assert_frame_equal(shuffled.rows("gaps", year=year, zone_id=zone), expected)


def _api_table(doc, headers, rows, widths_cm, header=True):
    """The table as python-docx's API makes it, row by row (cell.text), as add_table did before it
    copied its first row: the reference its rows are checked against."""
    from docx.shared import Cm

    from zonetrack.report.document import _row_property

    table = doc.add_table(rows=1 if header else 0, cols=len(widths_cm))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    lines = ([(table.rows[0], headers, True)] if header else []) + [(None, r, False) for r in rows]
    for row, values, bold in lines:
        if row is None:
            row = table.add_row()
            _row_property(row, "cantSplit")
        else:
            _row_property(row, "tblHeader")
        for cell, text, width in zip(row.cells, values, widths_cm, strict=True):
            cell.width = Cm(width)
            cell.text = str(text)
            if bold:
                cell.paragraphs[0].runs[0].bold = True
    return table


TEXT = st.text(st.sampled_from(list("ab 中文\n\t<&>\"'=")), max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(TEXT, min_size=2, max_size=2), min_size=0, max_size=5),
    st.booleans(),
)
def test_a_tables_copied_rows_are_the_rows_the_api_makes(rows, header):
    # add_table makes its first row with python-docx's API and copies it for the others, setting each
    # cell's text in the copy: the XML must be the API's, whatever the text (line breaks, tabs, spaces
    # at either end, markup characters, nothing).
    from docx.oxml.xmlchemy import serialize_for_reading

    from zonetrack.report.document import add_table, new_document

    doc = new_document("t")
    made = add_table(doc, ["甲 A", "乙 B"], rows, [4.0, 14.0], header=header)
    expected = _api_table(new_document("t"), ["甲 A", "乙 B"], rows, [4.0, 14.0], header=header)
    assert serialize_for_reading(made._tbl) == serialize_for_reading(expected._tbl)
    assert [[c.text for c in r.cells] for r in made.rows] == ([["甲 A", "乙 B"]] if header else []) + rows


def test_a_document_keeps_only_the_table_styles_it_uses_and_its_tables_have_the_grid():
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE

    from zonetrack.report.document import add_table, new_document, saved

    doc = new_document("t")
    add_table(doc, ["a", "b"], [["1", "2"]], [2.0, 3.0])
    reread = Document(io.BytesIO(saved(doc)))
    tables = sorted(s.name for s in reread.styles if s.type == WD_STYLE_TYPE.TABLE)
    assert tables == ["Normal Table", "Table Grid"]
    assert reread.tables[0].style.name == "Table Grid"
    # The paragraph styles the documents use are all still there (98 table styles went, nothing else).
    names = {s.name for s in reread.styles}
    assert {"Normal", "Title", "Heading 1", "Heading 2", "List Bullet"} <= names
    # python-docx's template defines 100 table styles; the 98 not used go.
    template = list(Document().styles)
    assert sum(s.type == WD_STYLE_TYPE.TABLE for s in template) == 100
    assert len(list(reread.styles)) == len(template) - 98


def test_the_charts_drawn_backwards_are_every_chart_the_page_draws(report, tmp_path, monkeypatch):
    # The report stage draws a year's charts from the last target backwards beside the kernel, which
    # draws them from the first: for each chart to be drawn once, draw_backwards must draw every chart
    # the page's targets draw, and give each target's own chart as target_chart does.
    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path / "cache"))
    drawn = charts.draw_backwards(report, 2019)
    kept = sorted((tmp_path / "cache" / "charts").glob("*/*.png"))
    assert kept and len(drawn) == len(data.headline(report, 2019))
    page = sections.targets(report, 2019)  # every chart read from the cache: none new
    assert sorted((tmp_path / "cache" / "charts").glob("*/*.png")) == kept
    for target_id, chart in drawn.items():
        assert chart == charts.target_chart(report, 2019, target_id)
        assert chart is None or chart in page
    # The order: the plan's last target on the page first.
    assert list(drawn) == [r["id"] for r in reversed(data.headline(report, 2019))]


def test_the_plan_pages_chart_is_read_from_the_chart_cache(report, tmp_path, monkeypatch):
    # The plan page (reports/<plan>/index.html) is made by every run of the report stage, its pages
    # cached or not: its status-count chart is drawn once, then read, and is the chart drawn now.
    from zonetrack.report.index import plan_html

    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path / "cache"))
    calls = []
    drawing = plots.status_counts_chart
    monkeypatch.setattr(plots, "status_counts_chart", lambda counts: calls.append(1) or drawing(counts))
    first, again = plan_html(report), plan_html(report)
    assert len(calls) == 1 and len(list((tmp_path / "cache" / "charts").glob("*/*.png"))) == 1
    assert again == first
    assert plots.png(drawing(data.status_counts(report))) in first


def test_a_targets_heading_shows_its_names_and_keeps_its_id_out_of_the_text(report):
    import html
    import re

    page = sections.targets(report, 2019)
    headings = re.findall(r"<h3([^>]*)>(.*?)</h3>", page, re.S)
    assert len(headings) == len(report.plan.targets)
    for (attributes, text), (target_id, target) in zip(headings, report.plan.targets.items(), strict=True):
        # What a reader sees: the Chinese name and the English one, never the snake_case id ...
        seen = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert target.name_zh in seen and target.name_en in seen and target_id not in seen
        # ... which stays on the heading as the setting a scenario changes, shown on hovering.
        assert f'title="情景设置 scenario setting: targets.{target_id}"' in attributes


def test_by_name_replaces_whole_ids_only_and_leaves_other_text():
    from zonetrack.report.html import by_name

    names = {"revenue": "营业收入", "revenue_growth": "营业收入增长率", "luxi": "泸溪高新区"}
    # By hand: "revenue_growth" is one word (its name), "revenue" alone is another; "luxi2" is no id.
    assert (
        by_name("revenue_growth of luxi: revenue missing; luxi2", names)
        == "营业收入增长率 of 泸溪高新区: 营业收入 missing; luxi2"
    )
    assert by_name("", names) == "" and by_name("luxi", {}) == "luxi"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.sampled_from(["甲", "乙区", "丙指标"]), max_size=4
    ),
    st.lists(
        st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.sampled_from([" ", ": ", "; ", " of "])),
        max_size=12,
    ),
)
def test_by_name_leaves_no_id_standing_as_a_word_and_changes_nothing_else(names, parts):
    import re

    from zonetrack.report.html import by_name

    text = "".join(parts)
    named = by_name(text, names)
    words = set(re.findall(r"\w+", named))
    assert not words & set(names)  # the names are Chinese: no id survives as a word
    # Every word that is not an id is kept, in order.
    assert [w for w in re.findall(r"[a-z0-9_]+", named)] == [w for w in re.findall(r"\w+", text) if w not in names]


def test_the_data_notes_name_zones_and_indicators(report):
    import re

    notes = [text for _, items in data.quality(report, 2019)["groups"] for text in items]
    assert notes
    ids = set(report.zone_names) | set(report.indicator_names)
    for text in notes:
        assert not {w for w in re.findall(r"\w+", text) if w in ids}, text


def test_a_stage_kernel_reads_the_report_once_an_analysts_kernel_each_time(world, monkeypatch):
    from zonetrack.report import data

    monkeypatch.setattr(data, "_kept_reports", None)  # as a new kernel: nothing kept
    assert report_of(world) is not report_of(world)  # an analyst's kernel reads the files each time
    data.keep_loaded()  # what the report stage runs in its kernel (render.KEEP_LOADED)
    first = report_of(world)
    assert report_of(world) is first
    assert report_of(world, "made-up-2020-2022") is not first  # other arguments, another report
    assert report_of(world, experiment="exp-1") is not first


def test_the_index_is_made_without_pandas_numpy_or_the_plans_models(world, tmp_path):
    import subprocess
    import sys

    # A process of its own (this one has pandas): the index stage's command, then what it imported.
    code = (
        "import sys; from zonetrack.cli import main; "
        f"status = main(['index', '--plans', {str(world['plans'])!r}, '--processed', {str(world['processed'])!r}, "
        f"'--out', {str(tmp_path / 'index.html')!r}]); "
        "print(status, sorted(m for m in ('pandas', 'pydantic', 'matplotlib', 'nbformat') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[0] == "0 []", done.stdout + done.stderr
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "hunan-2017-2019/2019/assessment.html" in page
