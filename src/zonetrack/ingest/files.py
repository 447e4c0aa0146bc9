"""The raw files ingest reads, and what it makes of them: files listed (every entry not read named),
the vocabulary built from the registry, the dictionary and data/raw/layout.csv, the tables read and
checked across files and against neighbouring years. Nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zonetrack import ingest
from zonetrack.indicators import load_dictionary, name_lookup
from zonetrack.problems import NOTE, WARNING, Problem, ProblemsError, log, sort_problems
from zonetrack.registry import load_registry, short_names, zone_lookup

CLUSTERS_FILE = "clusters.csv"

STATS_DIR = "stats"


@dataclass
class IngestResult:
    """What ingest makes of a set of raw files."""

    panel: pd.DataFrame
    clusters: pd.DataFrame
    problems: list[Problem]
    skipped: list[str]
    files: list[str]
    cluster_files: list[str]
    verified_jumps: list[dict]
    # Cells of a known zone, year and indicator left blank (or -, /): where a missing value stands.
    blank_cells: pd.DataFrame | None = None


def source_label(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return _escaped(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return _escaped(path.as_posix())


def is_clusters_file(path: Path) -> bool:
    return path.name.lower() == CLUSTERS_FILE


def ingest_files(
    stats_files: list[Path],
    cluster_files: list[Path],
    vocab: ingest.Vocabulary,
    root: Path | None,
    verified: set[tuple[str, int, str]] | None = None,
) -> IngestResult:
    """Read, resolve and check statistics and cluster files, across files and against neighbouring
    years (nothing is written)."""
    tables, problems, skipped = [], [], []
    for path in stats_files:
        label = source_label(path, root)
        found, read_problems, skipped_sheets = ingest.read_tables(path, label, vocab.layout)
        log(f"read {label}: {sum(len(t.frame) for t in found)} rows in {len(found)} table(s)")
        tables += found
        problems += read_problems
        skipped += skipped_sheets
    cells = ingest.statistics_cells(tables, vocab)
    panel, panel_problems = ingest.build_panel(cells.frame, vocab)
    jump_problems, verified_jumps = ingest.plausibility(panel, vocab.kinds, verified or set())
    problems += cells.problems + panel_problems + jump_problems + ingest.parts_above_wholes(panel, vocab.part_of)
    cluster_frames = []
    for path in cluster_files:
        label = source_label(path, root)
        found, read_problems, _ = ingest.read_tables(path, label, vocab.layout)
        problems += read_problems
        for table in found:
            rows, cluster_problems = ingest.cluster_rows(table, vocab)
            cluster_frames.append(rows)
            problems += cluster_problems
        log(f"read {label}: {sum(len(f) for f in cluster_frames)} cluster rows")
    clusters = pd.concat(cluster_frames, ignore_index=True) if cluster_frames else ingest.empty_clusters()
    clusters = clusters.sort_values(["zone_id", "year", "cluster"], ignore_index=True)
    frame = cells.frame
    blank = frame[frame["valid"] & frame["value"].isna()][
        ["zone_id", "year", "indicator", "source_file", "source_row", "source_column", "remark"]
    ]
    return IngestResult(
        panel,
        clusters,
        sort_problems(problems),
        skipped,
        [source_label(p, root) for p in stats_files],
        [source_label(p, root) for p in cluster_files],
        verified_jumps,
        blank,
    )


def load_vocabulary(raw: Path, indicators: Path | None = None) -> tuple[ingest.Vocabulary, pd.DataFrame, pd.DataFrame]:
    """The registry, the indicator dictionary and the lookups built from them."""
    registry = load_registry(raw / "zones.csv")
    dictionary = load_dictionary(indicators or raw / "indicators.csv")
    layout = ingest.load_layout(raw / ingest.LAYOUT_FILE)
    vocab = ingest.vocabulary(dictionary, zone_lookup(registry), name_lookup(dictionary), layout, short_names(registry))
    return vocab, registry, dictionary


def load_verified(raw: Path, vocab: ingest.Vocabulary) -> set[tuple[str, int, str]]:
    """The jumps analysts verified (data/raw/verified_jumps.csv); its errors stop the stage."""
    from zonetrack.indicators import normalise

    verified, problems = ingest.read_verified(
        raw / ingest.VERIFIED_FILE,
        lambda name: ingest.resolve_zones(pd.Series([str(name)]), vocab)[0][0],
        lambda name: vocab.indicators.get(normalise(name)),
    )
    if problems:
        raise ProblemsError(problems)
    return verified


def raw_files(raw: Path) -> tuple[list[Path], list[Path], list[Problem]]:
    """The statistics files under raw/stats and the clusters file, in a stable order, and a word on
    every entry not read (hidden and lock files, links, pipes), never a silent skip."""
    stats, problems = data_files(raw / STATS_DIR) if (raw / STATS_DIR).is_dir() else ([], [])
    clusters = [raw / CLUSTERS_FILE] if (raw / CLUSTERS_FILE).is_file() else []
    return stats, clusters, problems


def data_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The regular files under a folder, sorted; a note or warning for each entry set aside."""
    import os
    import stat

    files, problems = [], []

    def aside(path: Path, severity: str, why: str) -> None:
        problems.append(Problem(source_label(path, None), None, None, severity, f"not read: {why}"))

    for top, directories, names in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(directories):
            path = here / name
            if path.is_symlink():
                aside(path, WARNING, "a link to a folder; copy the files in (DVC tracks the folder's own files)")
            elif name.startswith("."):
                aside(path, NOTE, "a hidden folder")
        directories[:] = sorted(d for d in directories if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            mode = path.lstat().st_mode
            if name.startswith((".", "~$")):
                aside(path, NOTE, "a hidden file or an Excel lock file (~$…)")
            elif stat.S_ISLNK(mode):
                aside(path, WARNING, "a symbolic link; copy the file in (DVC tracks the folder's own files)")
            elif not stat.S_ISREG(mode):
                aside(path, WARNING, "not a regular file (a pipe, socket or device)")
            else:
                files.append(path)
    for path in files:
        if _escaped(path.as_posix()) != path.as_posix():
            message = "the file name is not valid UTF-8 (shown with escapes): read, but rename it"
            problems.append(Problem(source_label(path, None), None, None, WARNING, message))
    return sorted(files), problems


def _escaped(name: str) -> str:
    """A file name whose bytes are not UTF-8 (held by Python as surrogates), with those bytes escaped."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def files_under(path: Path) -> tuple[list[Path], list[Path], list[Problem]]:
    if (path / STATS_DIR).is_dir():
        return raw_files(path)
    found, problems = data_files(path)
    return [p for p in found if not is_clusters_file(p)], [p for p in found if is_clusters_file(p)], problems
