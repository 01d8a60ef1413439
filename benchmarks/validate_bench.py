"""Dry-run speed and memory: ``python benchmarks/validate_bench.py [--rows N] [--format F]``.

Generates N rows (default 1,000,000; seeded; ~10% invalid, spread evenly over every problem
code) for ``mappings/opportunities.yaml`` into a temporary file — a CSV (``--format csv``,
the default) or an .xlsx (``--format xlsx``: shared strings, mobiles and fees as numbers,
start and enquiry dates as real date cells, as Excel saves such a sheet) — then, in one
process:

1. the dry run: ``importer.reader.open_source(path).chunks()`` + ``Checker.check`` per chunk
   (no workbook) — timed as ``seconds``;
2. the yardstick, timed as ``raw_seconds``: for CSV the same checks written as plain
   vectorised pandas (``read_csv`` in chunks with ``dtype=str`` + one boolean mask per
   rule); for xlsx python-calamine alone reading every cell of the sheet
   (``CalamineWorkbook.from_path`` + ``get_sheet_by_name`` + ``iter_rows``), no checks.

``peak_rss_mb`` is the process's peak RSS (``ru_maxrss``) read right after step 1: the data
is generated in a child process (so generation never sets the peak) and step 2 runs after
it, so the figure is the dry run's own peak (imports included). Figures are printed, never
asserted.
Last line: ``RESULT rows=<N> seconds=<s> raw_seconds=<s> ratio=<x> peak_rss_mb=<m>``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from bench_support import MAPPING, peak_rss_mb
from bench_xlsx import Writer
from python_calamine import CalamineWorkbook

from importer.mapping import load_mapping
from importer.reader import open_source
from importer.validation import Checker

CHUNK = 50_000
BLOCK = 100_000
COURSES = ["MBA", "BBA", "B.Tech Computer Science", "M.Sc Data Science", "B.Sc Nursing"]
CAMPUSES = ["Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online"]
STAGES = {"open": "Counselling", "Won": "Enrolled", "Lost": "Fees Too High"}
RULES = 13  # one corruption per problem code, see _corrupt


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` rows to ``path`` in blocks so generation stays small in memory."""
    rng = np.random.default_rng(seed)
    if path.suffix == ".xlsx":
        generate_xlsx(path, rows, rng)
        return
    for start in range(0, rows, BLOCK):
        block = _block(rng, start, min(BLOCK, rows - start))
        block.to_csv(path, mode="a", header=start == 0, index=False)


def generate_xlsx(path: Path, rows: int, rng: np.random.Generator) -> None:
    writer: Writer | None = None
    for start in range(0, rows, BLOCK):
        block = _block(rng, start, min(BLOCK, rows - start))
        if writer is None:
            columns = list(block.columns)
            dates = {columns.index("Start Date"): "%d/%m/%Y"}
            dates[columns.index("Enquiry Date")] = "%Y-%m-%d %H:%M"
            writer = Writer(path, "Enquiries", dates)
            writer.rows([columns])
        writer.rows(block.itertuples(index=False, name=None))
    if writer is not None:
        writer.close()


def _block(rng: np.random.Generator, start: int, n: int) -> pd.DataFrame:
    ids = pd.Series(np.arange(start, start + n)).astype(str)
    status = pd.Series(rng.choice(list(STAGES), n))
    frame = pd.DataFrame(
        {
            "Email": "user" + ids + "@example.com",
            "First Name": "Asha",
            "Last Name": "Rao",
            "Mobile": pd.Series(rng.integers(7_000_000_000, 9_999_999_999, n)).astype(str),
            "City": "Pune",
            "Opportunity Name": "Enquiry " + ids,
            "Status": status,
            "Stage": status.map(STAGES),
            "Course": rng.choice(COURSES, n),
            "Campus": rng.choice(CAMPUSES, n),
            "Expected Fee": pd.Series(rng.integers(1, 20, n) * 50_000).astype(str),
            "Scholarship Applied": rng.choice(["Yes", "No", ""], n),
            "Start Date": "15/01/2027",
            "Status Comment": "Called back",
            "Notes": "Website form",
            "Enquiry Date": "2026-09-01 09:17",
            "Counsellor Email": "vikram.s@horizon-institute.in",
        }
    )
    _corrupt(frame, rng)
    return frame


def _corrupt(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make ~10% of rows invalid, each with one rule, round-robin over all codes."""
    bad = np.flatnonzero(rng.random(len(frame)) < 0.10)
    bad = bad[bad > 0]  # the duplicate rule copies the row before
    rule = np.arange(len(bad)) % RULES
    edits: list[tuple[str, str | None]] = [
        ("Email", ""),  # missing_unique_field
        ("Email", None),  # invalid_email: the row's own address without its domain
        ("Mobile", "98765"),  # invalid_phone
        ("Status Comment", ""),  # comment_required
        ("Stage", "Enrolled"),  # dependent_dropdown_mismatch (Status Open below)
        ("Status", ""),  # child_without_parent
        ("Course", "PhD Astrophysics"),  # not_an_option
        ("Enquiry Date", "last Tuesday"),  # bad_datetime
        ("Opportunity Name", "x" * 150),  # too_long
        ("Course", ""),  # mandatory_missing
        ("Expected Fee", "twelve lakh"),  # bad_number
        ("Scholarship Applied", "maybe"),  # bad_boolean
    ]
    for number, (column, value) in enumerate(edits):
        rows = bad[rule == number]
        own = frame.loc[rows, column].str.replace("@example.com", "@example", regex=False)
        frame.loc[rows, column] = own if value is None else value
    frame.loc[bad[rule == 4], "Status"] = "Open"
    dup = bad[rule == 12]  # duplicate_in_file: same lead, course and campus as the row before
    for column in ("Email", "Course", "Campus"):
        frame.loc[dup, column] = frame[column].to_numpy()[dup - 1]


def dry_run(path: Path) -> tuple[int, Counter[str]]:
    mapping = load_mapping(MAPPING)
    source = open_source(path)
    checker = Checker(mapping, source.info.sheet)
    invalid, codes = 0, Counter[str]()
    for chunk in source.chunks(CHUNK):
        checked = checker.check(chunk)
        invalid += len(checked.invalid_rows)
        codes.update(p.code for p in checked.problems)
    return invalid, codes


def raw_pandas(path: Path) -> int:
    """The same rules as plain pandas masks: the yardstick for pandera's overhead."""
    seen = np.empty(0, dtype=np.uint64)  # sorted hashes of earlier keys
    invalid = 0
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=CHUNK)
    for chunk in reader:
        masks, seen = _raw_masks(chunk.apply(lambda c: c.str.strip()), seen)
        invalid += int(masks.sum())
    return invalid


def _raw_masks(c: pd.DataFrame, seen: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    email = c["Email"].str.lower()
    digits = (
        c["Mobile"].str.replace(r"[\s\-.()]", "", regex=True).str.replace(r"^0", "", regex=True)
    )
    status = c["Status"].str.lower().map({"open": "Open", "won": "Won", "lost": "Lost"}).fillna("")
    stage = c["Stage"]
    pairs = {
        "Open\x1fCounselling",
        "Open\x1fProspecting",
        "Won\x1fEnrolled",
        "Lost\x1fFees Too High",
    }
    key = pd.util.hash_pandas_object(
        pd.DataFrame({"e": email, "c": c["Course"], "p": c["Campus"]}), index=False
    )
    hashes = key.to_numpy()
    pos = np.minimum(np.searchsorted(seen, hashes), max(len(seen) - 1, 0))
    earlier = seen[pos] == hashes if len(seen) else np.zeros(len(key), dtype=bool)
    dup = key.duplicated() | earlier
    fresh = np.unique(hashes)
    seen = np.insert(seen, np.searchsorted(seen, fresh), fresh)
    enquiry = pd.to_datetime(c["Enquiry Date"], format="%Y-%m-%d %H:%M", errors="coerce")
    enquiry = enquiry.dt.tz_localize("Asia/Kolkata").dt.tz_convert("UTC")
    start = pd.to_datetime(c["Start Date"], format="%d/%m/%Y", errors="coerce")
    masks = [
        email.eq(""),
        ~email.str.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}") & email.ne(""),
        ~digits.str.fullmatch(r"\d{10}") & digits.ne(""),
        status.ne("") & c["Status Comment"].eq(""),
        status.ne("") & stage.ne("") & ~(status + "\x1f" + stage).isin(pairs),
        status.eq("") & stage.ne(""),
        ~c["Course"].isin(COURSES) & c["Course"].ne(""),
        enquiry.isna() & c["Enquiry Date"].ne(""),
        start.isna() & c["Start Date"].ne(""),
        c["Opportunity Name"].str.len().gt(100),
        c["Course"].eq(""),
        ~c["Expected Fee"].str.replace(",", "").str.fullmatch(r"-?\d+(\.\d+)?")
        & c["Expected Fee"].ne(""),
        ~c["Scholarship Applied"].str.lower().isin(["yes", "no", "true", "false", ""]),
        ~c["Campus"].isin(CAMPUSES) & c["Campus"].ne(""),
        dup & email.ne(""),
    ]
    return pd.concat(masks, axis=1).any(axis=1), seen


def raw_calamine(path: Path) -> int:
    """python-calamine alone reading every cell of the sheet: the yardstick for .xlsx."""
    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    for row in book.get_sheet_by_name(book.sheet_names[0]).iter_rows():
        cells += len(row)
    book.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rows = args.rows
    if args.generate_into:
        generate(args.generate_into, rows)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"opportunities.{args.format}"
        command = [sys.executable, __file__, "--rows", str(rows), "--generate-into", str(path)]
        subprocess.run(command, check=True)
        print(
            f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB); "
            f"rss {peak_rss_mb():.0f} MB"
        )
        began = time.perf_counter()
        invalid, codes = dry_run(path)
        seconds = time.perf_counter() - began
        peak = peak_rss_mb()
        print(f"dry run: {invalid:,} invalid rows in {seconds:.2f} s, peak RSS {peak:.0f} MB")
        print("problems by code: " + ", ".join(f"{k}={v}" for k, v in sorted(codes.items())))
        began = time.perf_counter()
        if args.format == "xlsx":
            cells = raw_calamine(path)
            raw_seconds = time.perf_counter() - began
            print(f"python-calamine alone: {cells:,} cells in {raw_seconds:.2f} s")
        else:
            raw_invalid = raw_pandas(path)
            raw_seconds = time.perf_counter() - began
            print(f"plain pandas: {raw_invalid:,} invalid rows in {raw_seconds:.2f} s")
    ratio = seconds / raw_seconds
    print(
        f"RESULT rows={rows} seconds={seconds:.2f} raw_seconds={raw_seconds:.2f} "
        f"ratio={ratio:.2f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
