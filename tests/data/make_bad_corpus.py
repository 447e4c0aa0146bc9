"""Write the corpus of bad input files in tests/data/bad/ (run once, from the repository's root:
`python -m tests.data.make_bad_corpus`; the files are committed).

Each file holds one kind of bad input from DESIGN.md's 'Bad input' section; expected.csv says
where each error must be reported (file, row, column) and a fragment of its message.
"""

from pathlib import Path

from tests.xlsx_tools import workbook_bytes

BAD = Path(__file__).parent / "bad"
HEADER = "zone,year,tech_contract_value,high_tech_enterprises,revenue\n"


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    path = BAD / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding))


def workbook(name: str, sheets: dict[str, list[list]]) -> None:
    (BAD / name).write_bytes(workbook_bytes(sheets))


def main() -> None:
    text("unknown_zone_id.csv", HEADER + "changsha,2017,1.5,10,100\natlantis,2017,1.0,5,50\n")
    text(
        "unknown_zone_chinese_gbk.csv",
        "高新区,年份,技术合同成交额(万元)\n长沙高新区,2017,15000\n火星高新区,2017,9000\n",
        "gbk",
    )
    text(
        "unknown_zone_long.csv",
        "zone,year,indicator,value,unit\nchangsha,2017,revenue,100,亿元\nnowhere,2017,revenue,5,亿元\n",
    )
    text(
        "duplicate_in_file.csv", HEADER + "changsha,2017,1.5,10,100\nzhuzhou,2017,1.0,5,50\nchangsha,2017,1.6,11,101\n"
    )
    workbook(
        "duplicate_across_sheets.xlsx",
        {
            "A": [["zone", "year", "revenue"], ["Changsha Hi-tech Industrial Development Zone", 2017, 100]],
            "B": [["title row"], ["zone", "year", "营业收入(万元)"], ["changsha", 2017, 1000000]],
        },
    )
    text("duplicate_wide_and_long/wide.csv", "zone,year,revenue\nchangsha,2018,100\n")
    text(
        "duplicate_wide_and_long/long.csv",
        "zone,year,indicator,value\nxiangtan,2018,revenue,50\nchangsha,2018,营业收入,100\n",
    )
    text("unparseable_number.csv", HEADER + "changsha,2017,1.5,10,100\nzhuzhou,2017,1.0,5,12_3a\n")
    text("unparseable_number_long.csv", "zone,year,indicator,value\nchangsha,2017,revenue,about 5\n")
    text("unparseable_wan.csv", "zone,year,revenue(万元)\nchangsha,2017,1.2万万\n")
    text("unknown_unit_header.csv", "zone,year,营业收入(美元)\nchangsha,2017,100\n")
    text(
        "unknown_unit_long.csv",
        "zone,year,indicator,value,unit\nchangsha,2017,revenue,100,亿元\nchangsha,2018,revenue,3,吨\n",
    )
    text("incompatible_unit.csv", "zone,year,常住人口(万元)\nchangsha,2017,52\n")
    text("negative_count.csv", HEADER + "changsha,2017,1.5,10,100\nzhuzhou,2017,1.0,-5,50\n")
    text("negative_count_long.csv", "zone,year,indicator,value\nchangsha,2017,国家级科技企业孵化器,-1\n")
    text("year_out_of_range.csv", HEADER + "changsha,1899,1.5,10,100\n")
    text("year_not_whole.csv", HEADER + "changsha,2017,1.5,10,100\nchangsha,2017.5,1.5,10,100\n")
    text("missing_zone_column.csv", "year,revenue\n2017,100\n")
    workbook("missing_year_column.xlsx", {"data": [["高新区", "营业收入"], ["changsha", 100]]})
    text("missing_value_column_long.csv", "zone,year,indicator,amount\nchangsha,2017,revenue,100\n")
    text("empty_file.csv", "")
    (BAD / "unreadable_binary.csv").write_bytes(b"PK\x03\x04\x00\x00\xff\xfe\x00garbage")
    (BAD / "unreadable_corrupt.xlsx").write_bytes(b"this is not a workbook")
    (BAD / "old_format.xls").write_bytes(b"not really excel")
    text("unknown_indicator.csv", "zone,year,土地出让金(万元)\nchangsha,2017,7.5\n")
    text(
        "clusters_negative/clusters.csv",
        "zone,year,cluster,revenue\nchangsha,2017,工程机械,1100\nchangsha,2017,电子信息,-20\n",
    )
    text("clusters_missing_revenue/clusters.csv", "zone,year,cluster\nchangsha,2017,工程机械\n")
    text("many_errors.csv", HEADER + "atlantis,2017,1.5,10,100\nchangsha,1700,1.0,5,50\nzhuzhou,2017,x,-3,50\n")
    # Issue 9: names, years and values an analyst gets wrong in a statistics office's layout.
    text("near_miss_zone.csv", "高新区,年份,营业收入\n长沙高新区,2017,5\n株州高新区,2017,3\n")
    text("bare_city_name.csv", "高新区,年份,营业收入\n长沙,2017,5\n")
    workbook(
        "title_two_years.xlsx",
        {"2019年": [["2020年湖南省高新区主要指标"], ["高新区", "营业收入"], ["长沙高新区", 5]]},
    )
    workbook("no_year_anywhere.xlsx", {"数据": [["湖南省高新区主要指标"], ["高新区", "营业收入"], ["长沙高新区", 5]]})
    text("decimal_count.csv", "zone,year,high_tech_enterprises\nchangsha,2017,987.6\n")
    text("negative_revenue.csv", "zone,year,revenue,tech_contract_value\nchangsha,2017,-5,1\nzhuzhou,2017,3,-0.5\n")
    text("unit_in_cell_mismatch.csv", "zone,year,revenue\nchangsha,2017,12万人\n")
    # Issue 17: cells a program or Excel itself got wrong; a part above its whole.
    broken_cells()
    office_slips()
    text(
        "year_column_against_title.csv",
        "2027年高新区主要指标\n高新区,年份,营业收入(亿元)\n长沙高新区,2026,9818.7\n株洲高新区,2027,4896.5\n",
    )
    text(
        "unit_mixups_beyond_wan.csv",
        # 营业收入 in 亿元: changsha's 2027 written in 元 (9,818.7 × 10^8), zhuzhou's in 千元 (4,896.5 × 10^5);
        # changsha's tech contracts fall from 400 to 0.
        "zone,year,revenue,tech_contract_value\n"
        "changsha,2026,9818.7,400\nchangsha,2027,981870000000,0\nzhuzhou,2026,4896.5,120\nzhuzhou,2027,489650000,130\n",
    )
    text("slips_with_hints.csv", "zone,year,national_rank,revenue\nchangsha,2026,第97位,6l8\n")
    text(
        "part_above_whole.csv",
        "高新区,年份,规模以上高新技术企业数,设有研发机构的规上高新技术企业数\n长沙高新区,2027,80,120\n株洲高新区,2027,50,40\n",
    )


def broken_cells() -> None:
    """Formulas saved by a program (no result), and a date where a figure belongs (Excel turns 5-1
    or 3/4 into a date by itself)."""
    import datetime

    workbook(
        "formula_empty_result.xlsx",
        {"2027年": [["高新区", "营业收入"], ["长沙高新区", 9818.7], ["株洲高新区", "=1+1"], ["合计", "=SUM(B2:B3)"]]},
    )
    workbook(
        "unit_line_not_understood.xlsx",
        {"2027年": [["2027年高新区主要指标"], ["计量单位：……"], ["高新区", "营业收入"], ["长沙高新区", 9818.7]]},
    )
    workbook(
        "date_in_figure.xlsx",
        {"2027年": [["高新区", "营业收入"], ["长沙高新区", datetime.datetime(2019, 5, 1)], ["株洲高新区", 4896.5]]},
    )


def office_slips() -> None:
    """A zone's name with its county written out (江华瑶族自治县); a zone merged over two rows (two
    parts of one zone, each with its figures)."""
    text("county_in_zone_name.csv", "高新区,年份,营业收入(亿元)\n江华瑶族自治县高新区,2027,35.2\n")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2027年"
    for row in (
        ["序号", "高新区", "营业收入(亿元)"],
        [1, "长沙高新区", 9000.5],
        [None, None, 818.2],
        [2, "株洲高新区", 4896.5],
    ):
        sheet.append(row)
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("A2:A3")
    book.save(BAD / "zone_merged_over_two_rows.xlsx")


if __name__ == "__main__":
    main()
