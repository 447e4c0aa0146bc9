"""The ``zonetrack`` command: check, ingest, evaluate, report, index, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zonetrack", description=__doc__)
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

    publish = commands.add_parser("publish", help="executed report notebook → HTML without code, scorecard.xlsx")
    publish.add_argument("--year", type=int, required=True, help="assessment year")
    publish.add_argument("--notebook", type=Path, required=True, help="the notebook papermill executed")
    publish.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with scorecard.csv")
    publish.add_argument("--params", type=Path, default=Path("params.yaml"), help="parameters file")
    publish.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with zones.csv")
    publish.add_argument("--out", type=Path, required=True, help="report folder of the year")

    index = commands.add_parser("index", help="all years' scorecards → reports/index.html")
    index.add_argument("--processed", type=Path, default=Path("data/processed"), help="folder with scorecard.csv")
    index.add_argument("--params", type=Path, default=Path("params.yaml"), help="parameters file")
    index.add_argument("--plan", type=Path, default=Path("data/raw/plan.yaml"), help="the plan's own settings")
    index.add_argument("--out", type=Path, default=Path("reports/index.html"), help="index page")

    demo = commands.add_parser("demo", help="write the illustrative embedded dataset (seeded, byte-stable)")
    demo.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw data folder with zones.csv")
    demo.add_argument("--seed", type=int, default=2017, help="random seed")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one zonetrack command; the exit status is non-zero on errors."""
    args = _parser().parse_args(argv)
    from zonetrack import stages

    try:
        if args.command == "check":
            return stages.run_check(args.paths, args.raw, args.indicators)
        if args.command == "ingest":
            return stages.run_ingest(args.raw, args.out, args.indicators)
        if args.command == "evaluate":
            return stages.run_evaluate(args.processed, args.params, args.raw, args.out, args.metrics)
        if args.command == "publish":
            return stages.run_publish(args.year, args.notebook, args.processed, args.params, args.raw, args.out)
        if args.command == "index":
            return stages.run_index(args.processed, args.params, args.plan, args.out)
        if args.command == "demo":
            from zonetrack import demo

            demo.write_demo(args.raw, args.seed)
            return 0
    except (FileNotFoundError, ValueError) as error:
        print(f"zonetrack {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
