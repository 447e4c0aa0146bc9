"""Ingest: forms, encodings, names, units, and what it writes (or refuses to write)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from openpyxl import Workbook
from tests.conftest import RAW

from zonetrack.cli import main
from zonetrack.ingest import files as stages
from zonetrack.ingest.report import quality_report

WIDE_TEXT = (
    "高新区,年份,技术合同成交额(万元),常住人口(人),高新技术企业数,备注\n"
    '长沙高新技术产业开发区,2016,"12,345",523000,10,示例数据\n'
    "Zhuzhou Hi-tech Industrial Development Zone,2016,1.2亿,-,7,illustrative\n"
    "xiangtan,2017,/,80000,—,\n"
)
# The same facts in long form: 12,345 万元 = 1.2345 亿元; a unit in the cell is that cell's unit, whatever
# the header says: 1.2亿 under (万元) is 1.2 亿元 = 12000 万元;
# 523000 人 = 52.3 万人; 80000 人 = 8 万人; the blanks are missing, so they have no row.
LONG_TEXT = (
    "zone,year,indicator,value,unit\n"
    "changsha,2016,tech_contract_value,1.2345,亿元\n"
    "changsha,2016,常住人口,52.3,万人\n"
    "changsha,2016,高新技术企业数,10,家\n"
    "zhuzhou,2016,技术合同成交额,12000,万元\n"
    "株洲高新区,2016,high_tech_enterprises,7,\n"
    "xiangtan,2017,population,80000,人\n"
)
# 1.2亿 under 技术合同成交额(万元): taken as 1.2 亿元; meant as 1.2亿 万元 it would be 1.2 × 10^8 万元 =
# 12,000 亿元.
CELL_UNIT_WARNING = (
    "{where}:技术合同成交额(万元): warning: '1.2亿' carries its own unit (亿) under a column in 万元: read as 1.2 "
    "亿元 (a unit in the cell wins); if it means 1.2亿 万元, it is 12,000 亿元: write the figure in 万元 without 万/亿"
)
EXPECTED = {
    ("changsha", 2016, "tech_contract_value"): 1.2345,
    ("changsha", 2016, "population"): 52.3,
    ("changsha", 2016, "high_tech_enterprises"): 10.0,
    ("zhuzhou", 2016, "tech_contract_value"): 1.2,
    ("zhuzhou", 2016, "high_tech_enterprises"): 7.0,
    ("xiangtan", 2017, "population"): 8.0,
}


def _panel(raw, capsys=None):
    vocab, _, _ = stages.load_vocabulary(raw)
    stats, clusters, _ = stages.raw_files(raw)
    return stages.ingest_files(stats, clusters, vocab, raw)


def _values(panel: pd.DataFrame) -> dict:
    return {
        (z, int(y), i): pytest.approx(v, rel=1e-12)
        for z, y, i, v in zip(panel["zone_id"], panel["year"], panel["indicator"], panel["value"], strict=True)
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_wide_csv_in_every_encoding(raw_copy, encoding):
    (raw_copy / "stats" / "wide.csv").write_bytes(WIDE_TEXT.encode(encoding))
    result = _panel(raw_copy)
    # Read as documented (1.2亿 = 1.2 亿元), and said at the cell: a clerk may have meant 1.2亿 万元.
    assert [str(p) for p in result.problems] == [CELL_UNIT_WARNING.format(where="stats/wide.csv:3")]
    assert _values(result.panel) == EXPECTED


def test_long_form_gives_the_same_panel_as_wide(raw_copy, tmp_path):
    (raw_copy / "stats" / "long.csv").write_text(LONG_TEXT, encoding="utf-8")
    long_result = _panel(raw_copy)
    assert [str(p) for p in long_result.problems if p.severity == "error"] == []
    assert _values(long_result.panel) == EXPECTED


def test_xlsx_with_title_rows_and_a_notes_sheet(raw_copy):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["only a note"])
    sheet = book.create_sheet("数据")
    sheet.append(["2016-2017年高新区统计 (示例)"])  # two years named: the year column decides
    sheet.append([])
    sheet.append(["园区", "年份", "技术合同成交额(万元)", "常住人口(人)", "高新技术企业数", "备注"])
    sheet.append(["长沙高新技术产业开发区", 2016, 12345, 523000, 10, "示例数据"])
    sheet.append(["Zhuzhou Hi-tech Industrial Development Zone", 2016, "1.2亿", "-", 7, None])
    sheet.append(["xiangtan", "2017年", None, 80000, None, None])
    book.save(raw_copy / "stats" / "book.xlsx")
    result = _panel(raw_copy)
    assert [str(p) for p in result.problems] == [CELL_UNIT_WARNING.format(where="stats/book.xlsx[数据]:5")]
    assert _values(result.panel) == EXPECTED
    assert result.skipped == ["stats/book.xlsx[说明]"]
    # Row numbers are the workbook's own: the table's first data row is row 4.
    changsha = result.panel[result.panel["zone_id"] == "changsha"]
    assert set(changsha["source_row"]) == {4}
    assert set(changsha["source_file"]) == {"stats/book.xlsx[数据]"}
    assert changsha["illustrative"].all()


def test_row_numbers_count_blank_lines(raw_copy):
    text = "title line\nzone,year,revenue\n\nchangsha,2016,5\n"
    (raw_copy / "stats" / "a.csv").write_text(text, encoding="utf-8")
    result = _panel(raw_copy)
    # Line 1 title, line 2 header, line 3 blank, line 4 the value.
    assert result.panel["source_row"].tolist() == [4]


def test_zone_spellings_resolve_to_one_id(vocab):
    from zonetrack.ingest.cells import _lookup

    names = pd.Series(
        ["changsha", "长沙高新技术产业开发区", "长沙高新区", "CHANGSHA HI-TECH INDUSTRIAL DEVELOPMENT ZONE", "长沙"]
    )
    assert _lookup(names, vocab.zones).tolist() == ["changsha"] * 4 + [None]


def test_quality_warnings_for_missing_values_and_jumps(raw_copy, registry, dictionary):
    text = "zone,year,revenue\nchangsha,2016,10\nchangsha,2017,101\nzhuzhou,2016,5\nxiangtan,2016,-\n"
    (raw_copy / "stats" / "a.csv").write_text(text, encoding="utf-8")
    result = _panel(raw_copy)
    quality = quality_report(result, registry, dictionary)
    kinds = {}
    for warning in quality["warnings"]:
        kinds.setdefault(warning["kind"], []).append(warning)
    # 101 / 10 = 10.1 > 10: a tenfold jump, a warning at the later value, with the zone and year.
    [jump] = kinds["jump"]
    assert (jump["zone_id"], jump["year"], jump["file"], jump["row"]) == ("changsha", 2017, "stats/a.csv", 3)
    # zhuzhou exists in 2017 and has no data at all that year.
    assert any(w["zone_id"] == "zhuzhou" and w["year"] == 2017 for w in kinds["zone_year_without_data"])
    # Coverage of revenue in 2016: the zones that existed in 2016 with a value (changsha, zhuzhou)
    # over the zones that existed in 2016.
    from zonetrack.registry import zone_levels

    existing_2016 = int(zone_levels(registry, [2016])["level"].notna().sum())
    assert quality["coverage"]["revenue"]["2016"] == pytest.approx(round(2 / existing_2016, 6))
    missing = {(w["zone_id"], w["year"], w["indicator"]): w for w in kinds["missing_value"]}
    # xiangtan's 2016 revenue is written '-' (missing): a warning at its cell, line 5 of a.csv. A zone
    # with no row at all in a year (yiyang in 2016) is one zone_year_without_data, not one per indicator.
    assert (missing[("xiangtan", 2016, "revenue")]["file"], missing[("xiangtan", 2016, "revenue")]["row"]) == (
        "stats/a.csv",
        5,
    )
    assert ("yiyang", 2016, "revenue") not in missing
    assert any(w["zone_id"] == "yiyang" and w["year"] == 2016 for w in kinds["zone_year_without_data"])
    # Revenue is the only indicator collected: the others are not each a missing value per zone,
    # but one warning per year that no zone has them.
    assert not any(w["indicator"] == "population" for w in kinds["missing_value"])
    assert ("population", 2016) in {(w["indicator"], w["year"]) for w in kinds["indicator_without_data"]}


def test_an_indicator_collected_for_national_zones_is_not_missing_elsewhere(raw_copy, registry, dictionary):
    # indicators.csv: national_rank is collected_for national zones. In 2026 changsha (national) has
    # a rank, zhuzhou (national) has none, liuyang (provincial) has none and is not asked for one.
    text = "zone,year,national_rank,revenue\nchangsha,2026,12,100\nzhuzhou,2026,,50\nliuyang,2026,,20\n"
    (raw_copy / "stats" / "a.csv").write_text(text, encoding="utf-8")
    quality = quality_report(_panel(raw_copy), registry, dictionary)
    missing = {(w["zone_id"], w["indicator"]) for w in quality["warnings"] if w["kind"] == "missing_value"}
    assert ("zhuzhou", "national_rank") in missing
    assert ("liuyang", "national_rank") not in missing
    assert ("liuyang", "revenue") not in missing
    # Coverage of the rank: 1 of the national zones of 2026 (8 by 2018, and 宁乡 from 2022: 9) → 1/9.
    assert quality["coverage"]["national_rank"]["2026"] == pytest.approx(round(1 / 9, 6))


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_ingest_writes_outputs_and_never_touches_raw(raw_copy, tmp_path):
    (raw_copy / "stats" / "long.csv").write_text(LONG_TEXT, encoding="utf-8")
    before = _digest(raw_copy)
    out = tmp_path / "processed"
    assert main(["ingest", "--raw", str(raw_copy), "--out", str(out)]) == 0
    assert _digest(raw_copy) == before
    assert sorted(p.name for p in out.iterdir()) == ["clusters.parquet", "data_quality.json", "panel.parquet"]
    panel = pd.read_parquet(out / "panel.parquet")
    assert list(panel.columns) == [
        "zone_id",
        "year",
        "indicator",
        "value",
        "unit",
        "source_file",
        "source_row",
        "source_column",
        "illustrative",
        "remark",
    ]
    quality = json.loads((out / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["values"] == 6


def test_ingest_with_errors_writes_nothing_and_keeps_old_outputs(raw_copy, tmp_path, capsys):
    (raw_copy / "stats" / "long.csv").write_text(LONG_TEXT, encoding="utf-8")
    out = tmp_path / "processed"
    assert main(["ingest", "--raw", str(raw_copy), "--out", str(out)]) == 0
    before = _digest(out)
    (raw_copy / "stats" / "bad.csv").write_text(
        "zone,year,revenue\natlantis,2016,1\nchangsha,2016,x\n", encoding="utf-8"
    )
    assert main(["ingest", "--raw", str(raw_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    # Both errors are reported, not just the first.
    assert "stats/bad.csv:2:zone: error: unknown zone 'atlantis'" in err
    assert "stats/bad.csv:3:revenue: error: unparseable number 'x'" in err
    assert _digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_check_accepts_the_embedded_default(capsys):
    from tests.conftest import RAW

    assert main(["check", str(RAW / "stats"), str(RAW / "clusters.csv"), "--raw", str(RAW)]) == 0
    assert "0 error(s)" in capsys.readouterr().err


def test_a_cell_unit_that_reads_the_same_either_way_is_not_a_warning(raw_copy):
    # 52.3万 under 常住人口(人): 52.3 万人 taken, and 52.3万 人 is the same 52.3 万人: nothing to warn of.
    (raw_copy / "stats" / "p.csv").write_text("zone,year,常住人口(人)\nchangsha,2016,52.3万\n", encoding="utf-8")
    result = _panel(raw_copy)
    assert [str(p) for p in result.problems if p.kind == "cell_unit"] == []
    assert _values(result.panel) == {("changsha", 2016, "population"): pytest.approx(52.3)}


def test_every_entry_of_stats_not_read_is_named(raw_copy, tmp_path, capsys):
    import os

    stats = raw_copy / "stats"
    (stats / "long.csv").write_text(LONG_TEXT, encoding="utf-8")
    (stats / ".draft.csv").write_text(LONG_TEXT, encoding="utf-8")
    (stats / "~$book.xlsx").write_bytes(b"lock")
    (tmp_path / "elsewhere.csv").write_text(LONG_TEXT, encoding="utf-8")
    (stats / "linked.csv").symlink_to(tmp_path / "elsewhere.csv")
    os.mkfifo(stats / "pipe.csv")
    # A file name in GBK bytes on a UTF-8 file system: 数据 = b"\xca\xfd\xbe\xdd".
    (stats / os.fsdecode(b"\xca\xfd\xbe\xdd.csv")).write_text("zone,year,revenue\nzhuzhou,2018,5\n", encoding="utf-8")
    assert main(["ingest", "--raw", str(raw_copy), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "stats/linked.csv:-:-: warning: not read: a symbolic link; copy the file in" in err
    assert "stats/pipe.csv:-:-: warning: not read: not a regular file (a pipe, socket or device)" in err
    assert "stats/\\xca\\xfd\\xbe\\xdd.csv:-:-: warning: the file name is not valid UTF-8 (shown with escapes)" in err
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    assert sum("not read: a symbolic link" in w["message"] for w in quality["warnings"]) == 1
    # check names the hidden and lock files too (notes, which ingest does not print).
    assert main(["check", str(stats), "--raw", str(raw_copy), "--alone"]) == 0
    err = capsys.readouterr().err
    assert f"{(stats / '.draft.csv').as_posix()}:-:-: note: not read: a hidden file or an Excel lock file" in err
    assert f"{(stats / '~$book.xlsx').as_posix()}:-:-: note: not read: a hidden file or an Excel lock file" in err
    # The long file's 6 values and the GBK-named file's one (zhuzhou 2018 revenue 5 亿元) are read.
    panel = pd.read_parquet(tmp_path / "out" / "panel.parquet")
    assert len(panel) == 7


def test_a_bracket_in_a_file_name_hides_none_of_its_errors_from_check(tmp_path, capsys):
    path = tmp_path / "统计[修订].csv"
    path.write_text("zone,year,revenue\natlantis,2018,5\n", encoding="utf-8")
    assert main(["check", str(path), "--raw", str(RAW), "--alone"]) == 1
    assert f"{path.as_posix()}:2:zone: error: unknown zone 'atlantis'" in capsys.readouterr().err
