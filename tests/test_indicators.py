"""Number formats, header units, unit conversion and the indicator dictionary."""

import math

import pandas as pd
import pytest
from tests.conftest import RAW

from zonetrack.indicators import load_dictionary, name_lookup, normalise, parse_numbers, split_header_unit, unit_factor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", 1234.5),
        ("1,234.5", 1234.5),  # thousands separator dropped
        (" 12 ", 12.0),
        ("1.2万", 12000.0),  # 1.2 × 10^4
        ("3亿", 300000000.0),  # 3 × 10^8
        ("1,234.5万", 12345000.0),  # 1234.5 × 10^4
        ("１２３", 123.0),  # full-width digits (NFKC)
        ("-7.5", -7.5),  # a negative number parses; whether it is allowed is ingest's rule
    ],
)
def test_parse_numbers_formats(text, expected):
    values, bad = parse_numbers(pd.Series([text], dtype="string"))
    assert values.iloc[0] == pytest.approx(expected, rel=1e-12)
    assert not bad.iloc[0]


@pytest.mark.parametrize("text", ["", "-", "—", "/", "  ", None])
def test_missing_markers_are_missing_never_zero(text):
    values, bad = parse_numbers(pd.Series([text], dtype="string"))
    assert math.isnan(values.iloc[0])
    assert not bad.iloc[0]


@pytest.mark.parametrize("text", ["12_3a", "about 5", "1.2万万", "万", "inf", "1..2"])
def test_unparseable_numbers_are_flagged(text):
    values, bad = parse_numbers(pd.Series([text], dtype="string"))
    assert math.isnan(values.iloc[0])
    assert bad.iloc[0]


def test_numeric_columns_pass_through():
    values, bad = parse_numbers(pd.Series([1.5, None, 3.0]))
    assert values.tolist()[0] == 1.5 and math.isnan(values.tolist()[1]) and values.tolist()[2] == 3.0
    assert not bad.any()


@pytest.mark.parametrize(
    ("header", "name", "unit"),
    [
        ("技术合同成交额(万元)", "技术合同成交额", "万元"),
        ("技术合同成交额（万元）", "技术合同成交额", "万元"),  # full-width brackets
        ("revenue [亿元]", "revenue", "亿元"),
        ("常住人口", "常住人口", None),
        ("创业(天使)投资基金(支)", "创业(天使)投资基金", "支"),
    ],
)
def test_split_header_unit(header, name, unit):
    assert split_header_unit(header) == (name, unit)


@pytest.mark.parametrize(
    ("unit", "canonical", "factor"),
    [
        ("万元", "亿元", 1e-4),  # 10^4 / 10^8
        ("元", "亿元", 1e-8),
        ("亿元", "亿元", 1.0),
        ("人", "万人", 1e-4),
        ("家", "个", 1.0),  # counters are all counts
        (None, "亿元", 1.0),  # no unit: already canonical
    ],
)
def test_unit_factor(unit, canonical, factor):
    assert unit_factor(unit, canonical) == pytest.approx(factor, rel=1e-15)


@pytest.mark.parametrize(("unit", "canonical"), [("美元", "亿元"), ("万元", "万人"), ("人", "个"), ("吨", "家")])
def test_unit_that_cannot_convert(unit, canonical):
    assert unit_factor(unit, canonical) is None


def test_dictionary_resolves_ids_names_and_aliases():
    lookup = name_lookup(load_dictionary(RAW / "indicators.csv"))
    assert lookup[normalise("技术合同成交额")] == "tech_contract_value"
    assert lookup[normalise("技术合同交易总额")] == "tech_contract_value"  # the plan's own wording
    assert lookup[normalise("Tech_Contract_Value")] == "tech_contract_value"
    assert lookup[normalise("销售收入")] == "revenue"
    assert lookup[normalise("创业（天使）投资基金")] == "venture_funds"


def test_adding_an_alias_needs_no_code(tmp_path):
    text = (RAW / "indicators.csv").read_text(encoding="utf-8").replace("年末常住人口|", "年末常住人口|园区人口|")
    (tmp_path / "indicators.csv").write_text(text, encoding="utf-8")
    assert name_lookup(load_dictionary(tmp_path / "indicators.csv"))[normalise("园区人口")] == "population"


def test_dictionary_rejects_an_alias_naming_two_indicators(tmp_path):
    text = (RAW / "indicators.csv").read_text(encoding="utf-8").replace("年末常住人口|", "年末常住人口|销售收入|")
    (tmp_path / "indicators.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="names both"):
        name_lookup(load_dictionary(tmp_path / "indicators.csv"))


def test_a_part_of_an_unknown_or_unlike_whole_is_an_error_at_its_row(tmp_path):
    from zonetrack.problems import ProblemsError

    text = (RAW / "indicators.csv").read_text(encoding="utf-8").splitlines()
    header, rows = text[0], text[1:]
    # revenue (亿元) a part of high_tech_enterprises (家): unlike units; tax_revenue a part of "revenu".
    rows = [r + ("high_tech_enterprises" if r.startswith("revenue,") else "") for r in rows]
    rows = [r + ("revenu" if r.startswith("tax_revenue,") else "") for r in rows]
    path = tmp_path / "indicators.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_dictionary(path)
    messages = "\n".join(str(p) for p in caught.value.problems)
    line_of = {r.split(",")[0]: i for i, r in enumerate(rows, start=2)}
    assert f":{line_of['revenue']}:part_of: error: 'high_tech_enterprises' cannot hold revenue" in messages
    assert f":{line_of['tax_revenue']}:part_of: error: no indicator 'revenu' to be a part of" in messages
