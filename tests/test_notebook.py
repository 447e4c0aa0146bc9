"""The report stage end to end: papermill executes the template, publish writes the pages, for the
2017-2019 plan and for a made-up third plan (other years, other targets) that needs no code."""

from __future__ import annotations

import pytest
from tests.conftest import REPO
from tests.world import XSS, build

from zonetrack.cli import main

TEMPLATE = REPO / "notebooks" / "assessment.ipynb"


def test_template_declares_its_parameters():
    import papermill

    parameters = papermill.inspect_notebook(str(TEMPLATE))
    assert set(parameters) == {"year", "plan_file", "params_file", "plan_dir", "processed_dir", "raw_dir", "experiment"}
    assert parameters["year"]["inferred_type_name"] == "int"


def test_template_is_stored_without_outputs():
    import nbformat

    notebook = nbformat.read(TEMPLATE, as_version=4)
    assert all(
        not c.get("outputs") and c.get("execution_count") is None for c in notebook.cells if c.cell_type == "code"
    )
    assert "papermill" not in notebook.metadata


def test_one_kernel_runs_a_stages_notebooks_each_from_a_fresh_namespace(tmp_path):
    # The report stages run their years in one kernel (imports paid once); a year must never read a
    # variable the year before left, and a failing notebook must still stop the stage.
    import json

    import nbformat

    from zonetrack.report.render import Kernel

    def notebook(name: str, *sources: str):
        path = tmp_path / f"{name}.ipynb"
        cells = [nbformat.v4.new_code_cell(s) for s in sources]
        cells[0].metadata["tags"] = ["parameters"]
        made = nbformat.v4.new_notebook(cells=cells)
        made.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(made, path)
        return path

    first = notebook("first", "value = 0", "import zonetrack.report.sections\nleft_behind = value + 1")
    second = notebook(
        "second",
        "value = 0",
        "import json, sys\nprint(json.dumps(['left_behind' in dir(), 'zonetrack.report.sections' in sys.modules]))",
    )
    third = notebook("third", "value = 0", "raise ValueError(value)")
    with Kernel("python3") as kernel:
        kernel.run(first, tmp_path / "first.out.ipynb", {"value": 41}, tmp_path / "kept-1.ipynb", "first")
        ran = kernel.run(second, tmp_path / "second.out.ipynb", {}, tmp_path / "kept-2.ipynb", "second")
        with pytest.raises(RuntimeError, match=r"third: the notebook failed in cell \d+: ValueError: 7"):
            kernel.run(third, tmp_path / "third.out.ipynb", {"value": 7}, tmp_path / "kept-3.ipynb", "third")
    printed = nbformat.read(ran, as_version=4).cells[-1].outputs[0]["text"]
    # A fresh namespace (nothing the first notebook left), the same process (its imports kept).
    assert json.loads(printed) == [False, True]
    assert (tmp_path / "kept-3.ipynb").is_file()


def test_a_kernel_started_early_imports_what_the_templates_setup_cell_imports_and_runs_nothing_else(tmp_path):
    # start(template) runs the import statements of the template's setup cell before the first
    # notebook (the kernel's ~2 s of imports beside the stage's own loading), never its other lines.
    import json

    import nbformat

    from zonetrack.report.render import Kernel, template_imports

    template = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("year = 0"),
            nbformat.v4.new_code_cell("import colorsys\nfrom email import quoprimime as q\nraise SystemExit(year)"),
        ]
    )
    template.cells[0].metadata["tags"] = ["parameters"]
    template.cells[1].metadata["tags"] = ["setup"]
    template.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "template.ipynb"
    nbformat.write(template, path)
    assert template_imports(path) == "import colorsys\nfrom email import quoprimime as q"
    probe = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import gc, json, sys\n"
                "imported = [m in sys.modules for m in ('colorsys', 'email.quoprimime')]\n"
                "print(json.dumps(imported + [gc.get_freeze_count() > 0]))"
            )
        ]
    )
    probe.metadata["kernelspec"] = template.metadata["kernelspec"]
    nbformat.write(probe, tmp_path / "probe.ipynb")
    with Kernel("python3") as kernel:
        kernel.start(path)
        ran = kernel.run(tmp_path / "probe.ipynb", tmp_path / "probe.out.ipynb", {}, tmp_path / "kept.ipynb", "probe")
    # ... and what they made is out of the garbage collector's reach (IPython's reset collects in full).
    assert json.loads(nbformat.read(ran, as_version=4).cells[0].outputs[0]["text"]) == [True, True, True]
    # An import that fails stops the stage at the first notebook, with the error.
    template.cells[1].source = "import no_such_module_anywhere"
    nbformat.write(template, path)
    with Kernel("python3") as kernel:
        kernel.start(path)
        with pytest.raises(RuntimeError, match="could not import what the template imports: ModuleNotFoundError"):
            kernel.run(tmp_path / "probe.ipynb", tmp_path / "probe2.out.ipynb", {}, tmp_path / "kept2.ipynb", "probe")


def test_a_notebooks_client_is_ready_once_the_kernel_answered_and_reads_only_its_own_outputs(tmp_path):
    # jupyter_client's wait_for_ready reads IOPub on until 0.2 s pass without a message (0.2 s of every
    # notebook); the stage's client is ready once kernel_info is answered and an IOPub message came,
    # and leaves the rest queued (here the kernel_info's own status) for papermill, which reads only
    # the messages of its own requests: each executed notebook holds its own outputs and nothing else.
    from queue import Empty

    import nbformat
    from jupyter_core.utils import run_sync

    from zonetrack.report.render import Kernel

    def notebook(name: str, text: str):
        made = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print({text!r})")])
        made.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(made, tmp_path / f"{name}.ipynb")
        return tmp_path / f"{name}.ipynb"

    template = notebook("template", "unused")
    with Kernel("python3") as kernel:
        kernel.start(template)
        client = kernel.manager.client()  # the one papermill would be given
        run_sync(client.wait_for_ready)(timeout=60)
        queued = []
        try:
            while True:
                queued.append(run_sync(client.iopub_channel.get_msg)(timeout=1))
        except Empty:
            pass
        assert any(m["parent_header"].get("msg_type") == "kernel_info_request" for m in queued)
        outputs = []
        for name in ("one", "two", "three"):
            ran = kernel.run(notebook(name, name), tmp_path / f"{name}.out.ipynb", {}, tmp_path / "kept.ipynb", name)
            outputs.append([o.get("text") for c in nbformat.read(ran, as_version=4).cells for o in c.outputs])
    assert outputs == [["one\n"], ["two\n"], ["three\n"]]


def test_a_stage_holds_its_objects_out_of_the_collectors_reach_only_within_its_block():
    import gc

    from zonetrack.report.render import collected_less

    before = gc.get_freeze_count()
    kept = [[n] for n in range(1000)]  # objects the collector tracks, made before the block
    with collected_less():
        assert gc.get_freeze_count() >= before + len(kept)
    assert gc.get_freeze_count() == 0
    assert kept[-1] == [999]


def report(world, plan, out):
    args = [
        "report",
        "--plan",
        str(world["plans"] / f"{plan}.yaml"),
        "--params",
        str(world["params"]),
        "--jobs",
        "1",
        "--template",
        str(TEMPLATE),
        "--processed",
        str(world["processed"]),
        "--raw",
        str(world["raw"]),
        "--out",
        str(out),
        "--experiment",
        "",
    ]
    return main(args)


def test_a_new_year_leaves_the_years_before_byte_identical_and_read_from_the_cache(tmp_path, monkeypatch, capsys):
    # Issue 20: a new year's data recomputes no old year's page. The world as it was in 2018 and as it
    # is with 2019, built at the same place (the notebook's parameters are paths): the 2017 and 2018
    # files are the same bytes, read from the page cache, and only 2019 is made.
    import shutil

    monkeypatch.setenv("ZONETRACK_CACHE", str(tmp_path / "cache"))
    world = build(tmp_path / "world", last_year=2018)
    assert report(world, "hunan-2017-2019", tmp_path / "before") == 0
    assert "reports of hunan-2017-2019 in" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "world")
    world = build(tmp_path / "world", new_file_from=2019)
    assert report(world, "hunan-2017-2019", tmp_path / "after") == 0
    assert "2019 made, 2017, 2018 read from the cache" in capsys.readouterr().err
    before, after = tmp_path / "before" / "hunan-2017-2019", tmp_path / "after" / "hunan-2017-2019"
    for year in ("2017", "2018"):
        files = sorted(p.name for p in (before / year).iterdir())
        assert files == ["assessment.docx", "assessment.html", "assessment.ipynb", "scorecard.xlsx"]
        for name in files:
            assert (before / year / name).read_bytes() == (after / year / name).read_bytes(), f"{year}/{name}"
    # The 2018 page says what it rests on: the values of 2016-2018 only, no link to a later year.
    page = (after / "2018" / "assessment.html").read_text(encoding="utf-8")
    assert "../2019/assessment.html" not in page and "../2017/assessment.html" in page
    assert (after / "2019" / "assessment.html").is_file()
    # The plan's page lists every year.
    assert 'href="2019/assessment.html"' in (after / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    world = build(tmp_path_factory.mktemp("world"))
    out = world["root"] / "reports"
    assert report(world, "made-up-2020-2022", out) == 0
    index = [
        "index",
        "--plans",
        str(world["plans"]),
        "--processed",
        str(world["processed"]),
        "--out",
        str(out / "index.html"),
    ]
    assert main(index) == 0
    return world, out


def test_a_made_up_plan_renders_end_to_end(rendered):
    _, out = rendered
    folder = out / "made-up-2020-2022"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "2021",
        "2021/assessment.docx",
        "2021/assessment.html",
        "2021/assessment.ipynb",
        "2021/scorecard.xlsx",
        "index.html",
    ]
    page = (folder / "2021" / "assessment.html").read_text(encoding="utf-8")
    assert "一个编造的方案" in page and "营业收入" in page
    assert 'src="https://' not in page  # readable offline
    assert "Illustrative data" in page
    assert page.count("data:image/png;base64") >= 2  # a chart for each target
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="made-up-2020-2022/index.html"' in index and 'href="made-up-2020-2022/2021/assessment.html"' in index
    assert 'href="made-up-2020-2022/index.html#zones"' in index  # each zone's sections, from the index
    plan_page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="2021/assessment.html#zone-changsha"' in plan_page


def test_the_executed_notebook_has_no_errors_and_no_code_in_the_page(rendered):
    import nbformat

    _, out = rendered
    notebook = nbformat.read(out / "made-up-2020-2022" / "2021" / "assessment.ipynb", as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    page = (out / "made-up-2020-2022" / "2021" / "assessment.html").read_text(encoding="utf-8")
    assert "load_plan_report" not in page and "import " not in page  # inputs hidden


def test_missing_inputs_stop_the_stage_and_publish_nothing(rendered, tmp_path, capsys):
    world, _ = rendered
    broken = dict(world) | {"raw": tmp_path / "missing"}
    assert report(broken, "made-up-2020-2022", tmp_path / "reports") == 2
    assert "missing/zones.csv:-:-: error: unreadable file" in capsys.readouterr().err
    assert not (tmp_path / "reports" / "made-up-2020-2022").exists()


def test_a_failing_notebook_fails_the_stage_with_its_cell_and_keeps_it(rendered, tmp_path, capsys):
    import nbformat

    world, _ = rendered
    notebook = nbformat.read(TEMPLATE, as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("boom")'))
    template = tmp_path / "broken.ipynb"
    nbformat.write(notebook, template)
    args = ["report", "--plan", str(world["plans"] / "made-up-2020-2022.yaml"), "--params", str(world["params"])]
    args += ["--jobs", "1", "--template", str(template), "--processed", str(world["processed"])]
    args += ["--raw", str(world["raw"]), "--out", str(tmp_path / "reports"), "--experiment", ""]
    assert main(args) == 2
    err = capsys.readouterr().err
    # The template's fourth cell is the fifth executed: papermill injects the parameters after the first.
    assert "report 2021: the notebook failed in cell 5: RuntimeError: boom" in err
    kept = tmp_path / "reports" / "made-up-2020-2022.failed-2021.ipynb"
    assert kept.is_file() and str(kept) in err
    assert not (tmp_path / "reports" / "made-up-2020-2022").exists()  # nothing half-published


@pytest.fixture(scope="module")
def hunan(rendered):
    """The 2017-2019 plan's reports (its index and three years) in the tiny world."""
    world, out = rendered
    assert report(world, "hunan-2017-2019", out) == 0
    return out / "hunan-2017-2019"


def test_attack_strings_stay_text_in_the_2017_2019_report(hunan):
    page = (hunan / "2019" / "assessment.html").read_text(encoding="utf-8")
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_page_carries_its_own_cut_of_the_font_covering_its_characters(hunan):
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    pages = [hunan / "index.html", *(hunan / str(year) / "assessment.html" for year in (2017, 2018, 2019))]
    fonts = set()
    for path in pages:
        text = path.read_text(encoding="utf-8")
        embedded = re.findall(r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)", text)
        assert len(embedded) == 1, path  # embedded once, in the head
        assert text.index("@font-face") < text.index("</head>")
        fonts.add(embedded[0])
        cut = TTFont(io.BytesIO(base64.b64decode(embedded[0])))
        covered = {chr(code) for code in cut.getBestCmap()}
        # Every CJK character the page shows can be drawn (outside the font's Han block a reader's
        # own font may serve, e.g. for the arrows and symbols).
        han = {c for c in text if "\u4e00" <= c <= "\u9fff"}
        assert han and han <= covered, sorted(han - covered)[:10]
        # Its own cut: no character another page needs, so a later year's page changes no earlier one.
        assert {c for c in covered if "\u4e00" <= c <= "\u9fff"} <= han
    assert len(fonts) == len(pages)  # the pages' characters differ, and so do their cuts


def test_a_second_run_in_one_process_reads_the_files_as_they_are_now(tmp_path):
    world = build(tmp_path / "world")
    out = tmp_path / "reports"
    assert report(world, "made-up-2020-2022", out) == 0
    plan = world["plans"] / "made-up-2020-2022.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("一个编造的方案", "改过名的方案"), encoding="utf-8")
    assert report(world, "made-up-2020-2022", out) == 0  # same paths, same process
    for page in ("index.html", "2021/assessment.html"):
        text = (out / "made-up-2020-2022" / page).read_text(encoding="utf-8")
        assert "改过名的方案" in text and "一个编造的方案" not in text, page


def test_the_executed_notebook_ends_with_the_years_tables_which_the_page_leaves_out(rendered):
    import nbformat

    _, out = rendered
    notebook = nbformat.read(out / "made-up-2020-2022" / "2021" / "assessment.ipynb", as_version=4)
    explore = [c for c in notebook.cells if "explore" in c.metadata.get("tags", [])]
    assert [c.cell_type for c in explore] == ["markdown", "code"] and notebook.cells[-1] is explore[-1]
    frames = [o for o in explore[1].outputs if "text/html" in o.get("data", {})]
    assert len(frames) == 3 and all("<table" in "".join(o["data"]["text/html"]) for o in frames)
    assert "营业收入" in "".join(frames[0]["data"]["text/html"])  # the targets by their Chinese names
    page = (out / "made-up-2020-2022" / "2021" / "assessment.html").read_text(encoding="utf-8")
    assert "探索数据" not in page and 'class="dataframe"' not in page


def test_the_template_runs_from_its_own_folder_as_a_kernel_started_by_make_lab_would(rendered, tmp_path):
    import os

    import papermill

    world, _ = rendered
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "dvc.yaml").write_text("stages: {}\n", encoding="utf-8")
    os.symlink(world["raw"], project / "data" / "raw")
    os.symlink(world["processed"], project / "data" / "processed")
    os.symlink(world["plans"], project / "plans")
    os.symlink(world["params"], project / "params.yaml")
    # The template's own parameters (plans/hunan-2017-2019.yaml, data/processed/…, 2019), relative to
    # the project, run in notebooks/: before, the first cell failed with "No such file".
    executed = project / "notebooks" / "run.ipynb"
    papermill.execute_notebook(
        str(TEMPLATE), str(executed), cwd=str(project / "notebooks"), kernel_name="python3", progress_bar=False
    )
    import nbformat

    outputs = [o for c in nbformat.read(executed, as_version=4).cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("2019" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)


def test_each_year_goes_out_as_a_word_document_with_the_verdicts_as_the_page_has_them(rendered):
    import io

    from docx import Document

    from zonetrack.report import data

    world, out = rendered
    path = out / "made-up-2020-2022" / "2021" / "assessment.docx"
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert doc.paragraphs[0].text == "2021年 一个编造的方案 目标评估"
    assert "示例数据" in text and "Illustrative data" in text  # the world's statistics are illustrative
    assert "数据说明 Data notes" in text
    # The headline table: the header repeats on every page, every target of the year with its status.
    headline = doc.tables[0]
    assert headline.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    assert headline.rows[0].cells[0].text == "目标 Target"
    report = data.load_plan_report(
        world["plans"] / "made-up-2020-2022.yaml",
        world["params"],
        world["processed"] / "made-up-2020-2022",
        world["processed"],
        world["raw"],
    )
    for row in data.headline(report, 2021):
        assert row["target"].name_zh in text  # each target's section heading
        assert row["value"] in cells and row["gap"] in [*cells, ""]
    for target_id in report.plan.targets:
        for label, sentence in data.what_it_would_take(report, 2021, target_id)["lines"]:
            assert label in cells and sentence in cells  # what it would take, in the page's words
    assert len(doc.inline_shapes) >= 2  # the charts
