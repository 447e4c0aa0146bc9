"""Build damaged and hostile input files in a temporary folder and print what `zonetrack check`
says of each: a workbook that declares a million rows, a cell beyond the column cap, CR-only line
ends, a 140,000-character cell, truncated sheet XML, an error value, ragged rows, UTF-16, formulas
without saved values, a missing sheet part, and a zones.csv with a year in words or in GB18030.

Run from the repository: .venv/bin/python scripts/hostile_inputs.py
"""

import codecs
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.xlsx_tools import inline_row, rewrite, save, sheet_xml, with_sheet_data, workbook_bytes  # noqa: E402 - after the path is set

out = Path(tempfile.mkdtemp(prefix="zonetrack-hostile-"))
HEADER = ["zone", "year", "revenue"]
files = {}
rows = inline_row(1, HEADER) + inline_row(2, ["changsha", 2017, 5]) + inline_row(1048576, ["zhuzhou", 2017, 7])
files["dimension A1:XFD1048576, rows 2 and 1,048,576"] = save(
    out / "bomb.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows, "A1:XFD1048576")
)
far = '<c r="ALN2" t="inlineStr"><is><t>stray</t></is></c>'
rows2 = inline_row(1, HEADER) + inline_row(2, ["changsha", 2017, 5]).replace("</row>", far + "</row>")
files["a cell beyond column 1,000"] = save(
    out / "wide.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows2)
)
p = out / "cr_only.csv"
p.write_bytes(b"zone,year,revenue\rchangsha,2017,5\rzhuzhou,2017,7\r")
files["CR-only line ends"] = p
p = out / "long_cell.csv"
p.write_text("zone,year,revenue\nchangsha,2017," + "x" * 140_000 + "\n", encoding="utf-8")
files["a cell of 140,000 characters"] = p
data = workbook_bytes({"data": [HEADER, ["changsha", 2017, 5], ["zhuzhou", 2017, 7]]})
xml = sheet_xml(data)
files["truncated sheet XML"] = save(
    out / "cut.xlsx", rewrite(data, {"xl/worksheets/sheet1.xml": xml[: len(xml) * 2 // 3]})
)
rows3 = (
    inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>changsha</t></is></c><c r="B2"><v>2017</v></c>'
    '<c r="C2"><f>1/0</f><v>#DIV/0!</v></c></row>' + inline_row(3, ["zhuzhou", 2017, 5])
)
files["#DIV/0! without an error type"] = save(
    out / "div.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows3)
)
p = out / "ragged.csv"
p.write_text(
    "zone,year,revenue\nchangsha,2017,5\n   \nzhuzhou,2017\nxiangtan,2017,3,,\nyiyang,2017,4,9\n", encoding="utf-8"
)
files["ragged rows, a whitespace line"] = p
p = out / "utf16_bom.csv"
p.write_bytes(codecs.BOM_UTF16_LE + "高新区,年份,营业收入(亿元)\n长沙高新区,2017,5\n".encode("utf-16-le"))
files["UTF-16 with a BOM"] = p
p = out / "utf16_nobom.csv"
p.write_bytes("zone,year,revenue\nchangsha,2017,5\n".encode("utf-16-le"))
files["UTF-16 without a BOM"] = p
rows4 = (
    inline_row(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>changsha</t></is></c><c r="B2"><v>2017</v></c>'
    '<c r="C2"><f>SUM(D2:E2)</f></c></row>'
)
files["formulas without cached values"] = save(
    out / "nocache.xlsx", with_sheet_data(workbook_bytes({"data": [HEADER]}), rows4)
)
files["a sheet part missing"] = save(out / "nopart.xlsx", rewrite(data, {"xl/worksheets/sheet1.xml": None}))
for label, path in files.items():
    r = subprocess.run(
        [str(REPO / ".venv" / "bin" / "zonetrack"), "check", "--alone", "--raw", str(REPO / "data" / "raw"), str(path)],
        capture_output=True,
        text=True,
    )
    lines = [line for line in r.stderr.splitlines() if not line.startswith("[zonetrack] read ")]
    print(f"### {label} (exit {r.returncode})")
    print("\n".join(line[:400] for line in lines))
# zones.csv with 2010年 and in GB18030
raw = out / "raw"
raw.mkdir(exist_ok=True)
(raw / "indicators.csv").write_bytes((REPO / "data" / "raw" / "indicators.csv").read_bytes())
Z = "zone_id,name_zh,name_en,city,provincial_since,national_since,source\n"
a = out / "a.csv"
a.write_text("zone,year,revenue\nchangsha,2017,5\n", encoding="utf-8")
for label, text, enc in (
    ("zones.csv with 2010年", Z + "changsha,长沙高新技术产业开发区,Changsha,长沙市,2010年,,src\n", "utf-8"),
    ("zones.csv in GB18030", Z + "changsha,长沙高新技术产业开发区,Changsha,长沙市,,1991,src\n", "gb18030"),
):
    (raw / "zones.csv").write_bytes(text.encode(enc))
    r = subprocess.run(
        [str(REPO / ".venv" / "bin" / "zonetrack"), "check", "--alone", "--raw", str(raw), str(a)],
        capture_output=True,
        text=True,
    )
    print(f"### {label} (exit {r.returncode})")
    print("\n".join(line for line in r.stderr.splitlines() if not line.startswith("[zonetrack] read ")))
