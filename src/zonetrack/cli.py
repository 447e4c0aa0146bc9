"""The ``zonetrack`` command: check, ingest, assess, report, evaluation, index, and the analyst's tools."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zonetrack",
        description="Assess high-tech zones against the quantitative targets of a plan. "
        "Each command takes its inputs and outputs as options; the defaults are the repository layout.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="validate statistics files before adding them to data/raw/")
    check.add_argument("paths", nargs="+", type=Path, help="files or folders (.csv, .xlsx; clusters.csv)")
    check.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv and indicators.csv")
    check.add_argument("--indicators", type=Path, help="indicator dictionary (default: RAW/indicators.csv)")
    check.add_argument(
        "--alone",
        action="store_true",
        help="check the files on their own, not with the statistics already in RAW/stats",
    )

    ingest = commands.add_parser("ingest", help="raw statistics → panel.parquet, clusters.parquet, data_quality.json")
    ingest.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw data folder")
    ingest.add_argument("--out", type=Path, default=Path("data/processed"), help="output folder")
    ingest.add_argument("--indicators", type=Path, help="indicator dictionary (default: RAW/indicators.csv)")

    inputs = commands.add_parser(
        "inputs", help="one plan's inputs: the panel, clusters and data quality of the years it covers"
    )
    inputs.add_argument("--plan", type=Path, required=True, help="the plan's file")
    inputs.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings of the run")
    inputs.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with panel.parquet")
    inputs.add_argument("--out", type=Path, help="output folder (default: PROCESSED/inputs/<plan id>)")

    assess = commands.add_parser(
        "assess", aliases=["evaluate"], help="one plan: panel + plan + params.yaml → scorecard.csv, metrics"
    )
    assess.add_argument("--plan", type=Path, required=True, help="the plan's file, e.g. plans/hunan-2017-2019.yaml")
    assess.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings of the run")
    assess.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with panel.parquet")
    assess.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    assess.add_argument("--out", type=Path, help="folder for scorecard.csv (default: PROCESSED/<plan id>)")
    assess.add_argument("--metrics", type=Path, help="metrics file (default: metrics/<plan id>.json)")
    assess.add_argument("--experiment", default=None, help="the DVC experiment's name (default: $DVC_EXP_NAME)")

    validate = commands.add_parser("validate", help="check params.yaml and the plans before anything runs")
    validate.add_argument("plans", nargs="*", type=Path, help="plan files or folders of them (default: plans/)")
    validate.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings of the run")
    validate.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv, indicators.csv")

    report = commands.add_parser("report", help="one plan's yearly reports → reports/<plan>/<year>/")
    report.add_argument("--plan", type=Path, required=True, help="the plan's file")
    report.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings of the run")
    report.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel tasks (default: CPUs)")
    report.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    report.add_argument("--template", type=Path, default=Path("notebooks/assessment.ipynb"), help="notebook template")
    report.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with panel.parquet")
    report.add_argument(
        "--outputs", type=Path, help="the plan's assess outputs, scorecard.csv … (default: PROCESSED/<plan id>)"
    )
    report.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv and reference/")
    report.add_argument("--out", type=Path, default=Path("reports"), help="reports folder (the plan's goes below it)")
    report.add_argument("--experiment", default=None, help="the DVC experiment's name (default: $DVC_EXP_NAME)")

    index = commands.add_parser("index", help="reports/index.html: every plan, its years and statuses")
    index.add_argument("--plans", type=Path, default=Path("plans"), help="folder of plan files")
    index.add_argument("--processed", type=Path, default=Path("data/processed"), help="processed folder")
    index.add_argument("--out", type=Path, default=Path("reports/index.html"), help="the index page")

    evaluation = commands.add_parser(
        "evaluation", help="the performance evaluation: index, ranks and their uncertainty"
    )
    evaluation.add_argument("--frameworks", type=Path, default=Path("frameworks"), help="folder of framework files")
    evaluation.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings (evaluation:)")
    evaluation.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with panel.parquet")
    evaluation.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    evaluation.add_argument("--out", type=Path, default=Path("data/processed/evaluation"), help="output folder")
    evaluation.add_argument("--metrics", type=Path, default=Path("metrics/evaluation.json"), help="metrics file")

    evaluation_report = commands.add_parser("evaluation-report", help="the evaluation's pages → reports/evaluation/")
    evaluation_report.add_argument(
        "--evaluation", type=Path, default=Path("data/processed/evaluation"), help="its results"
    )
    evaluation_report.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    evaluation_report.add_argument("--template", type=Path, default=Path("notebooks/evaluation.ipynb"), help="notebook")
    evaluation_report.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    evaluation_report.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel years (default: CPUs)"
    )
    evaluation_report.add_argument("--out", type=Path, default=Path("reports/evaluation"), help="pages folder")

    scenario = commands.add_parser(
        "scenario",
        help="a scenario as a DVC experiment (dvc exp run --temp), after checking that git holds every input",
    )
    scenario.add_argument("-n", "--name", help="the experiment's name")
    scenario.add_argument(
        "-S",
        "--set",
        dest="settings",
        action="append",
        required=True,
        help="a setting, as dvc exp run -S takes it: '+plans.<plan>.scenario.targets.<target>.<key>=<value>'",
    )

    compare = commands.add_parser(
        "compare", help="what each DVC experiment changes: targets and zones whose status differs"
    )
    compare.add_argument("experiments", nargs="*", help="experiment names (default: all)")
    compare.add_argument("--plans", type=Path, default=Path("plans"), help="folder of plan files")
    compare.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    compare.add_argument("--out", type=Path, default=Path("reports/compare.html"), help="the comparison page")

    template = commands.add_parser("template", help="the data-collection workbook to send to the zones for a year")
    template.add_argument("--year", type=int, required=True, help="the year the zones report")
    template.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    template.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv and indicators.csv")
    template.add_argument("--plans", type=Path, default=Path("plans"), help="plans: their indicators are asked for")
    template.add_argument("--all", action="store_true", help="ask for every indicator of the dictionary")
    template.add_argument("--force", action="store_true", help="replace the file at --out if it exists")

    tidy = commands.add_parser(
        "tidy", help="remove what killed runs left (staging folders, temporaries); make assess runs it first"
    )
    tidy.add_argument(
        "folders",
        nargs="*",
        type=Path,
        default=[Path("data/processed"), Path("reports"), Path("metrics")],
        help="output folders (default: data/processed reports metrics)",
    )

    demo = commands.add_parser("demo", help="write the illustrative embedded dataset (seeded, byte-stable)")
    demo.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw data folder with zones.csv")
    demo.add_argument("--seed", type=int, default=2017, help="random seed")
    demo.add_argument("--force", action="store_true", help="overwrite files that differ from what the demo writes")
    demo.add_argument(
        "--examples",
        type=Path,
        help="write only the README's example workbooks for 2027 into this folder (e.g. examples)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one zonetrack command; the exit status is non-zero on errors."""
    args = _parser().parse_args(argv)
    from zonetrack.problems import ProblemsError, log, printable

    # Each command imports its own stage: the others' imports (pydantic models, pandera schemas) would
    # cost every command's start ~0.4 s.
    try:
        if args.command == "check":
            from zonetrack.stages import ingest as ingest_stage

            return ingest_stage.run_check(args.paths, args.raw, args.indicators, with_raw=not args.alone)
        if args.command == "ingest":
            from zonetrack.stages import ingest as ingest_stage

            return ingest_stage.run_ingest(args.raw, args.out, args.indicators)
        if args.command == "inputs":
            from zonetrack.stages import inputs

            out = args.out or args.processed / "inputs" / args.plan.stem
            return inputs.run_inputs(args.plan, args.params, args.processed, out)
        if args.command in ("assess", "evaluate"):
            from zonetrack.stages import assess

            plan_id = args.plan.stem
            out = args.out or args.processed / plan_id
            metrics = args.metrics or Path("metrics") / f"{plan_id}.json"
            experiment = args.experiment if args.experiment is not None else os.environ.get("DVC_EXP_NAME", "")
            return assess.run_assess(args.plan, args.params, args.processed, args.raw, out, metrics, experiment)
        if args.command == "validate":
            from zonetrack.stages import validate

            # A folder stands for its plans (zonetrack validate my-plans/).
            given = args.plans or [Path("plans")]
            plans = [p for g in given for p in (sorted(g.glob("*.yaml")) if g.is_dir() else [g])]
            return validate.run_validate(plans, args.params, args.raw)
        if args.command in ("report", "index", "evaluation-report"):
            from zonetrack.stages import report
        if args.command == "report":
            experiment = args.experiment if args.experiment is not None else os.environ.get("DVC_EXP_NAME", "")
            return report.run_report(
                args.template,
                args.processed,
                args.outputs or args.processed / args.plan.stem,
                args.plan,
                args.params,
                args.raw,
                args.out,
                args.kernel,
                experiment,
                args.jobs,
            )
        if args.command == "index":
            return report.run_index(args.plans, args.processed, args.out)
        if args.command == "evaluation":
            from zonetrack.stages import evaluation

            return evaluation.run_evaluation(
                args.frameworks, args.params, args.processed, args.raw, args.out, args.metrics
            )
        if args.command == "evaluation-report":
            return report.run_evaluation_report(
                args.template, args.evaluation, args.raw, args.out, args.kernel, args.jobs
            )
        if args.command in ("scenario", "compare", "template"):
            from zonetrack.stages import tools
        if args.command == "scenario":
            return tools.run_scenario(args.name, args.settings)
        if args.command == "compare":
            return tools.run_compare(args.experiments, args.plans, args.raw, args.out)
        if args.command == "tidy":
            from zonetrack.io import tidy

            removed = tidy(args.folders)
            for path in removed:
                log(f"removed {printable(path)}, left by a run that was stopped")
            return 0
        if args.command == "template":
            return tools.run_template(args.year, args.out, args.raw, args.plans, args.all, args.force)
        if args.command == "demo":
            from zonetrack import demo

            if args.examples:
                written = demo.write_examples(args.raw, args.examples, args.seed)
                folder = args.examples
            else:
                written = demo.write_demo(args.raw, args.seed, args.force)
                folder = args.raw
            log(f"demo: {len(written)} file(s) written under {folder}" + ("" if written else " (all were current)"))
            return 0
    except ProblemsError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"zonetrack {args.command}: stopped: fix the file(s) above", file=sys.stderr)
        return 2
    except OSError as error:  # an output that cannot be written: a full disk, a read-only folder
        where = f" {printable(error.filename)}" if getattr(error, "filename", None) else ""
        reason = error.strerror or str(error)
        print(f"zonetrack {args.command}: error: cannot read or write{where}: {printable(reason)}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError) as error:
        lines = str(error).splitlines() or [""]
        print(f"zonetrack {args.command}: error: {printable(lines[0])}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {printable(line)}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
