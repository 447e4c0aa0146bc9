"""The data-collection workbook: what the department sends to the zones, filled in, ingests with no edit."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from tests.conftest import PLANS, RAW

from zonetrack.cli import main
from zonetrack.registry import zone_levels


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "template_2020.xlsx"
    assert (
        main(["template", "--year", "2020", "--out", str(path), "--raw", str(RAW), "--plans", str(PLANS), "--all"]) == 0
    )
    return path


def test_one_row_per_zone_of_the_year_and_a_column_per_indicator(template, registry, dictionary):
    book = load_workbook(template)
    assert book.sheetnames == ["说明 Instructions", "2020年数据"]
    sheet = book["2020年数据"]
    assert sheet["A1"].value == "2020年高新区统计数据填报表"
    headers = [c.value for c in sheet[2]]
    assert headers[:2] == ["序号", "高新区"]
    assert "技术合同成交额(亿元)" in headers and "高新技术企业数(家)" in headers and "研发投入强度(%)" in headers
    assert len(headers) == 2 + len(dictionary)
    levels = zone_levels(registry, [2020])
    assert sheet.max_row - 2 == int(levels["level"].notna().sum())  # every zone that exists in 2020
    assert sheet.protection.sheet and sheet["C2"].protection.locked and not sheet["C3"].protection.locked
    kinds = {}
    for validation in sheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            kinds[cells.coord.split(":")[0].rstrip("0123456789")] = (validation.type, validation.formula1)
    column = {h: sheet.cell(row=2, column=i + 1).column_letter for i, h in enumerate(headers)}
    # Counts are whole numbers ≥ 0, amounts numbers ≥ 0; both also as the instructions say to type a
    # figure in another unit, with 万 or 亿 (1.2万): written out by hand for the counts' column.
    hte = column["高新技术企业数(家)"]
    assert kinds[hte] == (
        "custom",
        f"IF(ISNUMBER({hte}3),AND({hte}3>=0,{hte}3=INT({hte}3)),"
        f'IF(OR(RIGHT({hte}3,1)="万",RIGHT({hte}3,1)="亿"),IFERROR(VALUE(LEFT({hte}3,LEN({hte}3)-1))>=0,FALSE),FALSE))',
    )
    revenue = column["营业收入(亿元)"]
    assert kinds[revenue][1].startswith(f"IF(ISNUMBER({revenue}3),{revenue}3>=0,IF(")
    assert any("1.2万" in str(c.value) for row in book["说明 Instructions"].iter_rows() for c in row)


def test_a_filled_template_ingests_to_the_values_typed(template, tmp_path):
    book = load_workbook(template)
    sheet = book["2020年数据"]
    headers = [c.value for c in sheet[2]]
    typed = {
        ("长沙高新区", "技术合同成交额(亿元)"): 123.4,
        ("长沙高新区", "高新技术企业数(家)"): 1500,
        ("长沙高新区", "研发投入强度(%)"): 3.5,  # 3.5 % → 0.035
        ("湘潭高新区", "营业收入(亿元)"): 800.25,
        ("湘潭高新区", "常住人口(万人)"): 12.5,
    }
    rows = {sheet.cell(row=r, column=2).value: r for r in range(3, sheet.max_row + 1)}
    for (zone, header), value in typed.items():
        sheet.cell(row=rows[zone], column=headers.index(header) + 1).value = value
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    raw = tmp_path / "raw"
    (raw / "stats").mkdir(parents=True)
    for name in ("zones.csv", "indicators.csv", "layout.csv"):
        shutil.copy(RAW / name, raw / name)
    shutil.copy(filled, raw / "stats" / "2020.xlsx")
    assert main(["ingest", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    panel = pd.read_parquet(tmp_path / "out" / "panel.parquet")
    got = {
        (str(z), int(y), str(i)): v
        for z, y, i, v in panel[["zone_id", "year", "indicator", "value"]].itertuples(index=False)
    }
    assert got == {
        ("changsha", 2020, "tech_contract_value"): pytest.approx(123.4),
        ("changsha", 2020, "high_tech_enterprises"): 1500.0,
        ("changsha", 2020, "rd_intensity"): pytest.approx(0.035),
        ("xiangtan", 2020, "revenue"): pytest.approx(800.25),
        ("xiangtan", 2020, "population"): pytest.approx(12.5),
    }


def test_by_default_it_asks_for_what_the_plans_covering_the_year_read(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", "--year", "2027", "--out", str(path), "--raw", str(RAW), "--plans", str(PLANS)]) == 0
    headers = [c.value for c in load_workbook(path)["2027年数据"][2]]
    # The 2026-2028 plan reads these eight indicators, and no other.
    assert sorted(headers[2:]) == sorted(
        [
            "高新技术企业数(家)",
            "营业收入(亿元)",
            "高新技术产业营业收入(亿元)",
            "税收收入(亿元)",
            "用地面积(亩)",
            "规模以上高新技术企业数(家)",
            "设有研发机构的规上高新技术企业数(家)",
            "国家高新区综合评价排名(位)",
        ]
    )


def test_the_template_never_replaces_an_existing_file_unless_forced(tmp_path, capsys):
    out = tmp_path / "2028年高新区数据采集表.xlsx"
    out.write_bytes(b"a returned workbook")
    args = ["template", "--year", "2028", "--out", str(out), "--raw", str(RAW), "--plans", str(PLANS)]
    assert main(args) == 2
    assert "exists (a returned workbook, or one in data/raw?): nothing was written" in capsys.readouterr().err
    assert out.read_bytes() == b"a returned workbook"
    assert main([*args, "--force"]) == 0 and out.read_bytes()[:2] == b"PK"
    assert main([*args[:4], str(tmp_path), *args[5:]]) == 2
    assert "is a folder: name the workbook to write" in capsys.readouterr().err
