"""What writing the results costs: ``python benchmarks/report_bench.py [--rows N]``.

Generates N rows (default 1,000,000; seeded; ~10% invalid over every problem code, the data
of ``validate_bench.py``) into a temporary CSV for ``mappings/opportunities.yaml``, then, in
one process, after a small warm-up run (imports, pandera's first schema):

1. the dry run alone: ``importer.dryrun.validate`` — timed as ``dry_seconds``;
2. the dry run with its results files: ``validate`` + ``write_dry_run`` (workbook, fix file
   and, past ``importer.report.limits.SHEET_ROWS`` rows, the rows and problems CSVs) —
   timed as ``seconds``.

``peak_rss_mb`` is the process's peak RSS (``ru_maxrss``) at the end: the data is generated
in a child process, so the figure is the larger of the two runs' peaks. Figures are printed,
never asserted. Last line:
``RESULT rows=<n> seconds=<s> dry_seconds=<d> ratio=<s/d> peak_rss_mb=<m>``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import MAPPING, peak_rss_mb

from importer.dryrun import validate, write_dry_run

GENERATOR = Path(__file__).resolve().parent / "validate_bench.py"
WARM_UP_ROWS = 2_000


def generate(path: Path, rows: int) -> None:
    """validate_bench.py's seeded rows, generated in a child (so never our peak)."""
    command = [sys.executable, str(GENERATOR), "--rows", str(rows), "--generate-into", str(path)]
    subprocess.run(command, check=True)


def dry_run(path: Path) -> float:
    began = time.perf_counter()
    validate(path, MAPPING)
    return time.perf_counter() - began


def dry_run_with_files(path: Path, out: Path) -> float:
    began = time.perf_counter()
    report = validate(path, MAPPING)
    checked = time.perf_counter()
    files = write_dry_run(report, out)
    done = time.perf_counter()
    written = [p for p in (files.workbook, files.fix_file, files.spill_csv) if p is not None]
    written += [files.problems_spill_csv] if files.problems_spill_csv else []
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in written)
    print(f"checked in {checked - began:.2f} s, wrote {sizes} in {done - checked:.2f} s")
    return done - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "opportunities.csv"
        warm = Path(folder) / "warm-up.csv"
        generate(path, rows)
        generate(warm, WARM_UP_ROWS)
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)")
        dry_run_with_files(warm, Path(folder) / "warm-up.xlsx")
        dry_seconds = dry_run(path)
        print(f"dry run alone: {dry_seconds:.2f} s")
        seconds = dry_run_with_files(path, Path(folder) / "results.xlsx")
        peak = peak_rss_mb()
    print(f"dry run with its results files: {seconds:.2f} s, peak RSS {peak:.0f} MB")
    print(
        f"RESULT rows={rows} seconds={seconds:.2f} dry_seconds={dry_seconds:.2f} "
        f"ratio={seconds / dry_seconds:.2f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
