"""The assessment notebook, run through papermill on a tiny dataset, and what it rendered."""

from __future__ import annotations

import csv
import re
import shutil

import pandas as pd
import papermill
import pytest
from tests.conftest import RAW, REPO, evaluate_args, report_args

from zonetrack.cli import main
from zonetrack.plots import STATUS_LABELS

XSS = "<script>alert(1)</script>"
TEMPLATE = REPO / "notebooks" / "assessment.ipynb"
GROUP_ZONES = ["changsha", "zhuzhou", "xiangtan", "yiyang", "hengyang", "chenzhou", "changde"]


def test_template_declares_its_parameters():
    parameters = papermill.inspect_notebook(str(TEMPLATE))
    assert set(parameters) == {"year", "processed_dir", "params_file", "plan_file", "raw_dir"}
    assert parameters["year"]["inferred_type_name"] == "int"


def test_template_is_stored_without_outputs():
    import nbformat

    notebook = nbformat.read(TEMPLATE, as_version=4)
    assert all(
        not c.get("outputs") and c.get("execution_count") is None for c in notebook.cells if c.cell_type == "code"
    )
    assert "papermill" not in notebook.metadata


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A raw folder with the plan's group zones and a provincial zone named like an attack."""
    root = tmp_path_factory.mktemp("tiny")
    raw = root / "raw"
    (raw / "stats").mkdir(parents=True)
    shutil.copy(RAW / "indicators.csv", raw)
    shutil.copytree(RAW / "reference", raw / "reference")
    registry = pd.read_csv(RAW / "zones.csv", dtype=str, keep_default_na=False)
    registry = registry[registry["zone_id"].isin(GROUP_ZONES)]
    extra = {c: "" for c in registry.columns} | {
        "zone_id": "xss",
        "name_zh": XSS,
        "name_en": XSS,
        "city": XSS,
        "provincial_since": "2010",
        "source": XSS,
    }
    pd.concat([registry, pd.DataFrame([extra])]).to_csv(raw / "zones.csv", index=False)
    rows = [("changsha", y, "tech_contract_value", v) for y, v in [(2016, 10), (2017, 12.5), (2018, 14), (2019, 20)]]
    rows += [("xss", y, "tech_contract_value", v) for y, v in [(2016, 1), (2017, 1.3), (2019, 2.1)]]
    rows += [
        (z, y, "high_tech_enterprises", 100 + 30 * (y - 2016)) for z in ("changsha", "xss") for y in range(2016, 2020)
    ]
    with (raw / "stats" / "long.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["zone", "year", "indicator", "value", "note"])
        writer.writerows([(*r, "illustrative") for r in rows])
    (raw / "clusters.csv").write_text(f"zone,year,cluster,revenue\nchangsha,2019,{XSS},1200\n", encoding="utf-8")
    shutil.copy(RAW / "plan.yaml", raw / "plan.yaml")
    processed = root / "processed"
    assert main(["ingest", "--raw", str(raw), "--out", str(processed)]) == 0
    assert main(evaluate_args(processed, raw, root / "assessment.json")) == 0
    reports = root / "reports"
    # The report stage's own code path: papermill with explicit parameters and kernel, then publish.
    assert main(report_args([2019], processed, raw, raw / "plan.yaml", reports)) == 0
    report = reports / "2019"
    assert sorted(p.name for p in report.iterdir()) == ["assessment.html", "assessment.ipynb", "scorecard.xlsx"]
    assert (reports / "index.html").is_file()
    return {"processed": processed, "report": report}


def test_headline_statuses_equal_the_scorecard(tiny):
    page = (tiny["report"] / "assessment.html").read_text(encoding="utf-8")
    headline = page[page.index('<table class="headline">') :]
    headline = headline[: headline.index("</table>")]
    shown = dict(re.findall(r"<tr><td><code>(\w+)</code>.*?<span class=\"status\"[^>]*>\S+ (.*?)</span>", headline))
    by_label = {label: status for status, label in STATUS_LABELS.items()}
    card = pd.read_csv(tiny["processed"] / "scorecard.csv")
    expected = card[(card["year"] == 2019) & (card["zone_id"] == "ALL")].set_index("target_id")["status"].to_dict()
    assert {t: by_label[label] for t, label in shown.items()} == expected
    # changsha: 10·1.25³ = 19.53 ≤ 20, met; xss: 1·1.25³ = 1.953 ≤ 2.1, met.
    assert expected["tech_contract_growth"] == "met"


def test_report_has_no_code_no_attack_no_warnings(tiny):
    page = (tiny["report"] / "assessment.html").read_text(encoding="utf-8")
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "zr.load_report" not in page and "import " not in page  # inputs hidden
    import nbformat

    notebook = nbformat.read(tiny["report"] / "assessment.ipynb", as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    assert "Illustrative data" in page
    assert 'src="https://' not in page  # readable offline
    assert page.count('<img alt="chart"') >= 20  # heat map and one chart per target


def test_excel_scorecard_is_written(tiny):
    from openpyxl import load_workbook

    sheet = load_workbook(tiny["report"] / "scorecard.xlsx").active
    card = pd.read_csv(tiny["processed"] / "scorecard.csv")
    assert sheet.max_row - 1 == int((card["year"] == 2019).sum())


def test_a_failing_notebook_fails_the_stage_with_its_error(tiny, tmp_path, capsys):
    args = report_args([2019], tiny["processed"], tmp_path / "missing", RAW / "plan.yaml", tmp_path / "reports")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "report 2019: the notebook failed" in err and "zones.csv:-:-: error: unreadable file" in err
    assert not (tmp_path / "reports" / "2019" / "assessment.html").exists()
