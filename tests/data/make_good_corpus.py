"""Write the corpus of good input files in tests/data/good/ (run once; the files are committed).

Each file is laid out the way a statistics office sends a table: a merged title naming the year, a
unit line, 序号 or 编号, a header wrapped in its cell or over two rows, total rows, footnotes, units
written in cells, zone names as analysts write them. expected.csv (written by hand, not by this
script) says what each file must ingest to.
"""

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

GOOD = Path(__file__).parent / "good"


def office_2020() -> None:
    """Year in the title and the sheet name, a unit line, 序号, a wrapped header, units in cells,
    full-width digits, a share in %, zone names in three usual forms, 合计 and two footnotes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2020年"
    sheet.append(["2020年湖南省高新区主要指标"])
    sheet.merge_cells("A1:F1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["单位：万元"])
    sheet.append(["序号", "高新区", "技术合同成交额", "营业收入\n(亿元)", "高新技术企业数(家)", "研发投入强度(%)"])
    sheet["D3"].alignment = Alignment(wrap_text=True)
    sheet.append([1, "长沙国家高新区", "123,456.7", 3456.78, 1234, 3.2])
    sheet.append([2, "湘潭高新技术开发区", "34.0亿", 456.7, "５６７", "2.5%"])
    sheet.append([3, "湘西高新区（吉首）", 1200, 12.3, 45, 1.8])
    sheet.append([None, "合计", 464656.7, 3925.78, 1846, None])
    sheet.append(["注：1. 本表为测试数据。2. 湘潭的技术合同成交额以亿元填报。"])
    sheet.merge_cells(start_row=8, start_column=1, end_row=8, end_column=6)
    sheet.append(["数据来源：测试"])
    book.save(GOOD / "office_2020.xlsx")


def two_row_header_2021() -> None:
    """A header over two rows (merged group headers over unit sub-headers), 编号, 小计 and 总计 rows
    (the 总计 off by more than rounding: a warning at its row), the year only in the title."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["2021年 高新区科技企业情况"])
    sheet.merge_cells("A1:E1")
    sheet.append(["编号", "园区名称", "技术合同", "企业", None])
    sheet.append([None, None, "成交额(万元)", "高新技术企业数(家)", "科技型中小企业数(家)"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("D2:E2")
    sheet.append([1, "株洲高新区", 5000, 300, 800])
    sheet.append([2, "长沙高新区", 20000, 1500, 4000])
    sheet.append([None, "小计", 25000, 1800, 4800])
    sheet.append([3, "益阳高新区", 3000, 200, 500])
    sheet.append([None, "总计", 28000, 2010, 5300])
    book.save(GOOD / "two_row_header_2021.xlsx")


def wide_2019_gb18030() -> None:
    """A GB18030 CSV with a title line naming the year, 金额单位, No., a name with a space, brackets
    in full width, a population written 52.3万 under (人)."""
    text = (
        "2019年高新区统计\n"
        "金额单位:万元\n"
        "No.,高新区,技术合同成交额,常住人口(人)\n"
        '1,株洲 高新区,"1,500",320000\n'
        "2,长沙高新区（国家级）,8000,52.3万\n"
        "注：测试数据\n"
    )
    (GOOD / "wide_2019_gb18030.csv").write_bytes(text.encode("gb18030"))


def long_units() -> None:
    """Long form with units in a column and in cells; a share given as 3.2 % and as 3.2 with %."""
    text = (
        "zone,year,indicator,value,unit\n"
        "changsha,2022,研发投入强度,3.2,%\n"
        "zhuzhou,2022,rd_intensity,2.8%,\n"
        "changsha,2022,营业收入,1.2万,亿元\n"
        "zhuzhou,2022,revenue,34.0亿,万元\n"
        "xiangtan,2022,常住人口,120000,人\n"
    )
    (GOOD / "long_units.csv").write_text(text, encoding="utf-8")


def unit_beside_reporter_2027() -> None:
    """Issue 17: a provincial office's layout whose unit statement shares a merged row-2 cell with
    the reporting organisation (填报单位：… 计量单位：万元、家、亩)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2027年"
    sheet.append(["2027年湖南省高新技术产业开发区主要指标"])
    sheet.merge_cells("A1:E1")
    sheet.append(["填报单位：湖南省统计局　　……　　计量单位：万元、家、亩"])
    sheet.merge_cells("A2:E2")
    sheet.append(["序号", "高新区", "营业收入", "高新技术企业数", "用地面积"])
    sheet.append([1, "长沙高新区", 98186815.7, 1200, 51000])
    sheet.append([2, "株洲高新区", 48965330.4, 600, 32000])
    book.save(GOOD / "unit_beside_reporter_2027.xlsx")


def merged_totals_2027() -> None:
    """Issue 17: 小计 and 合计 written in the 序号 column and merged across it and the name column, as
    most offices lay them out (the name cell of the row is empty)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2027年"
    sheet.append(["2027年湖南省高新区主要指标"])
    sheet.merge_cells("A1:D1")
    sheet.append(["单位：亿元"])
    sheet.append(["序号", "高新区", "营业收入", "技术合同成交额"])
    sheet.append([1, "长沙高新区", 9818.7, 400])
    sheet.append([2, "株洲高新区", 4896.5, 120])
    sheet.append(["小计", None, 14715.2, 520])
    sheet.merge_cells("A6:B6")
    sheet.append([3, "湘潭高新区", 3430.8, 90])
    sheet.append(["合计", None, 18146.0, 610])
    sheet.merge_cells("A8:B8")
    book.save(GOOD / "merged_totals_2027.xlsx")


def descriptive_columns_2027() -> None:
    """Issue 17: columns that are no indicator (所在市州; a hidden growth column 营业收入增速（%）), set aside
    with a note at their cells; a 备注 that explains a blank figure."""
    book = Workbook()
    sheet = book.active
    sheet.title = "2027年"
    sheet.append(["2027年湖南省高新区主要指标"])
    sheet.merge_cells("A1:F1")
    sheet.append(["单位：万元"])
    sheet.append(["序号", "高新区", "所在市州", "营业收入", "营业收入增速（%）", "税收总额", "备注"])
    sheet.append([1, "长沙高新区", "长沙市", 98186815.7, 12.5, 3456789, None])
    sheet.append([2, "株洲高新区", "株洲市", 48965330.4, 8.1, None, "税收数据未报送"])
    sheet.column_dimensions["E"].hidden = True
    book.save(GOOD / "descriptive_columns_2027.xlsx")


def main() -> None:
    GOOD.mkdir(parents=True, exist_ok=True)
    office_2020()
    two_row_header_2021()
    wide_2019_gb18030()
    long_units()
    unit_beside_reporter_2027()
    merged_totals_2027()
    descriptive_columns_2027()


if __name__ == "__main__":
    main()
