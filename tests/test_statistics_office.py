"""Files as statistics offices send them (issue 9): each good file ingests to values written by hand;
what check passes ingest accepts and what ingest refuses check refuses first; a unit mix-up against
the neighbouring year is an error unless an analyst listed the jump, with a reason."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import RAW

from zonetrack.cli import main

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"
EXPECTED = list(csv.DictReader((GOOD / "expected.csv").read_text(encoding="utf-8").splitlines()))
GOOD_FILES = sorted({row["file"] for row in EXPECTED})
BAD_FILES = sorted(
    {row["path"] for row in csv.DictReader((BAD / "expected.csv").read_text(encoding="utf-8").splitlines())}
)


def raw_with(tmp_path: Path, *files: Path) -> Path:
    """A raw folder with the repository's registry and dictionary and only the given statistics."""
    raw = tmp_path / "raw"
    (raw / "stats").mkdir(parents=True)
    for name in ("zones.csv", "indicators.csv", "layout.csv"):
        shutil.copy(RAW / name, raw / name)
    for file in files:
        if file.is_dir():
            for part in file.iterdir():
                shutil.copy(part, raw / ("clusters.csv" if part.name == "clusters.csv" else f"stats/{part.name}"))
        elif file.name == "clusters.csv":
            shutil.copy(file, raw / "clusters.csv")
        else:
            shutil.copy(file, raw / "stats" / file.name)
    return raw


def ingest(raw: Path, out: Path) -> int:
    return main(["ingest", "--raw", str(raw), "--out", str(out)])


@pytest.mark.parametrize("name", GOOD_FILES)
def test_a_good_file_ingests_to_the_values_written_by_hand(tmp_path, name, capsys):
    assert main(["check", str(GOOD / name), "--raw", str(RAW), "--alone"]) == 0
    raw = raw_with(tmp_path, GOOD / name)
    assert ingest(raw, tmp_path / "out") == 0
    panel = pd.read_parquet(tmp_path / "out" / "panel.parquet")
    got = {
        (str(z), int(y), str(i)): v
        for z, y, i, v in panel[["zone_id", "year", "indicator", "value"]].itertuples(index=False)
    }
    expected = {
        (r["zone_id"], int(r["year"]), r["indicator"]): float(r["value"]) for r in EXPECTED if r["file"] == name
    }
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12), key


@pytest.mark.parametrize("name", BAD_FILES)
def test_what_ingest_refuses_check_refuses_first(tmp_path, name, capsys):
    assert main(["check", str(BAD / name), "--raw", str(RAW), "--alone"]) == 1
    checked = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    raw = raw_with(tmp_path, BAD / name)
    assert ingest(raw, tmp_path / "out") == 1
    ingested = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]

    # The same errors; ingest names files from data/raw, check as given: compare without folders.
    def message(line: str) -> str:
        return re.sub(r"[^\s,]*/", "", line.split(": error: ")[1])

    assert [message(e) for e in checked] == [message(e) for e in ingested]
    assert not (tmp_path / "out").exists()


def test_the_year_comes_from_the_title_and_the_log_says_where(capsys):
    assert main(["check", str(GOOD / "office_2020.xlsx"), "--raw", str(RAW), "--alone"]) == 0
    err = capsys.readouterr().err
    assert "office_2020.xlsx[2020年]:3:year: note: year 2020 taken from the row 1 '2020年湖南省高新区主要指标'" in err
    assert "footnote row set aside: '数据来源：测试'" in err


def test_a_total_that_does_not_add_up_is_a_warning_at_its_row(capsys):
    assert main(["check", str(GOOD / "two_row_header_2021.xlsx"), "--raw", str(RAW), "--alone"]) == 0
    err = capsys.readouterr().err
    # 总计 says 2,010 high-tech enterprises; the zones say 300 + 1,500 + 200 = 2,000. The 小计 (300 +
    # 1,500 = 1,800) and the other columns add up.
    expected = "the total row says 2,010 but the 3 zone rows it totals sum to 2,000"
    assert f"two_row_header_2021.xlsx[数据]:8:高新技术企业数(家): warning: {expected}" in err
    assert err.count("the total row says") == 1


UNITS_2019 = (
    '高新区,年份,技术合同成交额(万元),常住人口(人)\n长沙高新区,2019,"12,000",520000\n株洲高新区,2019,8000,310000\n'
)
# The 2020 file says (亿元) over figures still in 万元, and 人 figures under (万人).
MIXED_2020 = "高新区,年份,技术合同成交额(亿元),常住人口(万人)\n长沙高新区,2020,13500,540000\n株洲高新区,2020,0.85,32\n"


def test_a_unit_mix_up_against_the_neighbouring_year_is_an_error(tmp_path, capsys):
    raw = raw_with(tmp_path)
    (raw / "stats" / "2019.csv").write_text(UNITS_2019, encoding="utf-8")
    new = tmp_path / "2020.csv"
    new.write_text(MIXED_2020, encoding="utf-8")
    assert main(["check", str(new), "--raw", str(raw)]) == 1
    err = capsys.readouterr().err
    # 长沙: 13500 亿元 against 1.2 亿元 in 2019 (12,000 万元) = 11,250 times: 万元 read as 亿元.
    assert (
        f"{new.as_posix()}:2:技术合同成交额(亿元): error: tech_contract_value of changsha in 2020 is 11,250 times"
        in err
    )
    assert "likely 万元 vs 亿元 (or 元 vs 万元)" in err
    # 长沙's population: 540,000 万人 against 52 万人 = 10,385 times: 人 vs 万人.
    assert "population of changsha in 2020 is 10,385 times" in err and "likely 人 vs 万人" in err
    # 株洲's figures are right (0.85 亿元 against 0.8; 32 万人 against 31): nothing to say.
    assert "of zhuzhou" not in err
    # What check refuses, ingest refuses.
    shutil.copy(new, raw / "stats" / "2020.csv")
    assert ingest(raw, tmp_path / "out") == 1


def test_a_verified_jump_is_accepted_and_listed(tmp_path, capsys):
    raw = raw_with(tmp_path)
    (raw / "stats" / "2019.csv").write_text(UNITS_2019, encoding="utf-8")
    (raw / "stats" / "2020.csv").write_text(
        "高新区,年份,技术合同成交额(亿元)\n长沙高新区,2020,13500\n株洲高新区,2020,0.85\n", encoding="utf-8"
    )
    (raw / "verified_jumps.csv").write_text(
        "zone,year,indicator,reason\n长沙高新区,2020,技术合同成交额,"
        "a 1.35 万亿元 contract confirmed by the provincial technology market (illustrative)\n",
        encoding="utf-8",
    )
    assert ingest(raw, tmp_path / "out") == 0
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    verified = [w for w in quality["warnings"] if w["kind"] == "verified_jump"]
    assert [(w["zone_id"], w["year"], w["indicator"]) for w in verified] == [("changsha", 2020, "tech_contract_value")]


def test_a_verified_jump_needs_a_reason(tmp_path, capsys):
    raw = raw_with(tmp_path)
    (raw / "verified_jumps.csv").write_text("zone,year,indicator,reason\nchangsha,2020,revenue,\n", encoding="utf-8")
    assert ingest(raw, tmp_path / "out") == 2
    assert "verified_jumps.csv:2:reason: error: say why the jump is real" in capsys.readouterr().err


def test_check_reports_a_duplicate_with_data_raw_once_at_the_new_file(tmp_path, capsys):
    raw = raw_with(tmp_path)
    (raw / "stats" / "2019.csv").write_text(UNITS_2019, encoding="utf-8")
    new = tmp_path / "again.csv"
    new.write_text("zone,year,tech_contract_value\nchangsha,2019,1.2\n", encoding="utf-8")
    assert main(["check", str(new), "--raw", str(raw)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"{new.as_posix()}:2:tech_contract_value: error: duplicate zone_id-year-indicator")
    assert "2019.csv:2:技术合同成交额(万元)" in errors[0]  # and where data/raw already has it


def test_check_shows_the_warnings_ingest_writes_at_their_cells(tmp_path, capsys):
    # A new year's file with zhuzhou's revenue left blank ('-', missing): check warns at B3's cell
    # (line 3, column 营业收入), as data_quality.json then holds it.
    path = tmp_path / "2027.csv"
    path.write_text(
        "高新区,年份,营业收入,高新技术企业数\n长沙高新区,2027,9818.7,1200\n株洲高新区,2027,-,600\n", "utf-8"
    )
    assert main(["check", str(path), "--raw", str(RAW), "--alone"]) == 0
    err = capsys.readouterr().err
    assert f"{path.as_posix()}:3:营业收入: warning: revenue of zhuzhou in 2027: no value" in err
    raw = raw_with(tmp_path, path)
    assert ingest(raw, tmp_path / "out") == 0
    quality = __import__("json").loads((tmp_path / "out" / "data_quality.json").read_text(encoding="utf-8"))
    located = [w for w in quality["warnings"] if w["kind"] == "missing_value" and w["zone_id"] == "zhuzhou"]
    assert [(w["file"], w["row"], w["indicator"]) for w in located] == [("stats/2027.csv", 3, "revenue")]


def test_an_amount_that_falls_to_zero_is_a_warning_at_the_zero(capsys):
    # changsha's tech contracts: 400 亿元 in 2026, 0 in 2027 (row 3 of the file).
    assert main(["check", str(BAD / "unit_mixups_beyond_wan.csv"), "--raw", str(RAW), "--alone"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{(BAD / 'unit_mixups_beyond_wan.csv').as_posix()}:3:tech_contract_value: warning: tech_contract_value of "
        "changsha is 0 in 2027, after 400 in 2026" in err
    )
