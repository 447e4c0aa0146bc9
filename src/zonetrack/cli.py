"""The ``zonetrack`` command: check, ingest, evaluate, report, demo."""

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

    ingest = commands.add_parser("ingest", help="raw statistics → panel.parquet, clusters.parquet, data_quality.json")
    ingest.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw data folder")
    ingest.add_argument("--out", type=Path, default=Path("data/processed"), help="output folder")
    ingest.add_argument("--indicators", type=Path, help="indicator dictionary (default: RAW/indicators.csv)")

    evaluate = commands.add_parser("evaluate", help="panel + params.yaml → scorecard.csv, metrics/assessment.json")
    evaluate.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with panel.parquet")
    evaluate.add_argument("--params", type=Path, default=Path("params.yaml"), help="parameters file")
    evaluate.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    evaluate.add_argument("--out", type=Path, default=Path("data/processed"), help="folder for scorecard.csv")
    evaluate.add_argument("--metrics", type=Path, default=Path("metrics/assessment.json"), help="metrics file")

    report = commands.add_parser(
        "report", help="every year's assessment notebook → reports/<year>/, and reports/index.html"
    )
    report.add_argument("--years", type=int, nargs="+", required=True, help="assessment years")
    report.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel tasks (default: CPUs)")
    report.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    report.add_argument("--template", type=Path, default=Path("notebooks/assessment.ipynb"), help="notebook template")
    report.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with scorecard.csv")
    report.add_argument("--params", type=Path, default=Path("params.yaml"), help="parameters file")
    report.add_argument("--plan", type=Path, default=Path("data/raw/plan.yaml"), help="the plan's own settings")
    report.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv and reference/")
    report.add_argument("--out", type=Path, default=Path("reports"), help="reports folder")

    demo = commands.add_parser("demo", help="write the illustrative embedded dataset (seeded, byte-stable)")
    demo.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw data folder with zones.csv")
    demo.add_argument("--seed", type=int, default=2017, help="random seed")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one zonetrack command; the exit status is non-zero on errors."""
    args = _parser().parse_args(argv)
    from zonetrack import stages
    from zonetrack.problems import ProblemsError, printable

    try:
        if args.command == "check":
            return stages.run_check(args.paths, args.raw, args.indicators)
        if args.command == "ingest":
            return stages.run_ingest(args.raw, args.out, args.indicators)
        if args.command == "evaluate":
            return stages.run_evaluate(args.processed, args.params, args.raw, args.out, args.metrics)
        if args.command == "report":
            from zonetrack.render import ReportInputs, render_reports

            inputs = ReportInputs(
                args.template, args.processed, args.params, args.plan, args.raw, args.out, args.kernel
            )
            render_reports(args.years, inputs, args.jobs)
            return 0
        if args.command == "demo":
            from zonetrack import demo

            demo.write_demo(args.raw, args.seed)
            return 0
    except ProblemsError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"zonetrack {args.command}: stopped: fix the file(s) above", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"zonetrack {args.command}: error: {printable(error)}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
