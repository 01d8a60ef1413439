"""Memory and CPU of a whole import as files grow: ``python benchmarks/run_memory_bench.py
[--rows N]``.

N generated rows (default 1,000,000; ``sample_data/make_samples.py``, each row a distinct
opportunity of its own lead) go through a real ``run_import`` (target ``bulk``, the account's
ledger in a temporary folder) into a sandbox whose limit is raised to 100,000 calls a second,
with no latency and its duplicate rule off. The sandbox runs in a child process
(``lsq-import sandbox``), so this process's CPU time and peak RSS are the client's alone.
Then the same command runs again: it finds every row done in the ledger and sends nothing.

Printed last: ``RESULT rows=<n> seconds=<s> send_rows_per_s=<x> client_cpu_ms_per_row=<c>
peak_rss_mb=<m> ledger_mb=<l> resume_seconds=<r>`` where ``seconds`` is the first run from
call to return (reading, checking, sending, the results workbook), ``send_rows_per_s`` the
rows over the send phase alone (from the progress hook's first call to its last),
``client_cpu_ms_per_row`` this process's CPU time (every thread) during the first run per
row, ``peak_rss_mb`` this process's peak resident memory, ``ledger_mb`` the ledger's size on
disk and ``resume_seconds`` the second run. Targets: peak RSS <= 500 MB, resume_seconds <=
0.1 x seconds, client CPU <= 0.3 ms per row. Figures are printed, never asserted, but every
row must be stored exactly once (checked from the sandbox's stats).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from bench_support import MAPPING, SendClock, peak_rss_mb, rows_parser, sandbox_process

from importer.run import ImportReport, RunOptions, run_import
from importer.settings import Settings, load_settings, parse_rate
from sample_data.make_samples import GeneratedImport, write_import

RATE = "100000/1s"  # far above what one machine sends: the limit never binds


@contextmanager
def sandbox_settings(account: Path) -> Iterator[Settings]:
    """The sandbox, in a child process, serving ``account`` with its duplicate rule off."""
    with sandbox_process(
        "--rate", RATE, "--account", str(account), "--no-duplicate-detection"
    ) as env:
        yield load_settings(environ=env)


@dataclass(frozen=True)
class Timed:
    report: ImportReport
    seconds: float
    cpu_seconds: float
    send_seconds: float


def timed_run(data: GeneratedImport, settings: Settings, folder: Path) -> Timed:
    options = RunOptions(
        out=folder / "results.xlsx",
        ledger=folder / "ledger.sqlite",
        target="bulk",
        rate=parse_rate(RATE),
    )
    clock = SendClock(report_every=None)
    wall, cpu = time.perf_counter(), time.process_time()
    report = run_import(data.csv, MAPPING, settings, options, progress=clock.begin)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    return Timed(report, seconds, cpu_seconds, clock.seconds)


def ledger_mb(folder: Path) -> float:
    files = folder.glob("ledger.sqlite*")
    return sum(p.stat().st_size for p in files if not p.name.endswith(".lock")) / 2**20


def stored_once(settings: Settings, rows: int) -> str:
    """'yes', or what is wrong, from the sandbox's stats (read after RSS was measured:
    its per-lead table of a million leads is big)."""
    stats = requests.get(settings.host + "/_sandbox/stats", timeout=300).json()
    total, twice = stats["total_opportunities"], stats["duplicates_created"]
    return "yes" if (total, twice) == (rows, 0) else f"stored {total}, duplicates {twice}"


def main() -> None:
    args = rows_parser(__doc__.splitlines()[0], rows=1_000_000).parse_args()
    with tempfile.TemporaryDirectory(prefix="run_memory_bench-") as tmp:
        folder = Path(tmp)
        print(f"writing {args.rows} rows and their leads ...", flush=True)
        data = write_import(folder, args.rows, args.seed)
        print("starting the sandbox (it loads every lead) ...", flush=True)
        with sandbox_settings(data.account) as settings:
            print("importing ...", flush=True)
            first = timed_run(data, settings, folder)
            print(f"  {dict(sorted(first.report.counts.items()))}; aborted: {first.report.aborted}")
            print("the same command again ...", flush=True)
            again = timed_run(data, settings, folder)
            kept = not again.report.rewritten
            print(f"  sent now: {again.report.sent_now}; the workbook kept: {kept}")
            peak = peak_rss_mb()
            print(f"  exactly once: {stored_once(settings, args.rows)}")
        rows = args.rows
        send_rate = rows / first.send_seconds if first.send_seconds > 0 else 0.0
        print(
            f"RESULT rows={rows} seconds={first.seconds:.1f} send_rows_per_s={send_rate:.0f} "
            f"client_cpu_ms_per_row={1000 * first.cpu_seconds / rows:.3f} "
            f"peak_rss_mb={peak:.0f} ledger_mb={ledger_mb(folder):.0f} "
            f"resume_seconds={again.seconds:.2f}"
        )


if __name__ == "__main__":
    main()
