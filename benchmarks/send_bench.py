"""Import speed at the account's rate limit: ``python benchmarks/send_bench.py [--rows N]``.

Generates N valid rows (default 7,500; seeded; one lead per row, values from
``sample_data/make_samples.py``) as a CSV for ``mappings/opportunities.yaml``, plus a sandbox
account (the sample account's opportunity types and rules, its ``leads_file`` holding every
row's lead so ``bulk`` finds them all). The sandbox runs in this process with a latency of
800 ms ± 300 ms per call and a limit of 25 calls per 5 s. Then:

1. **the importer**: ``run_import(..., RunOptions(target="bulk", rate=25/5s))``. ``rows_per_s`` is
   rows / seconds, where the clock starts when ``run_import`` hands the checked rows, recorded in
   the ledger, to the sender (its ``progress`` hook is called, just before the rate limiter and the
   HTTP client are created) and stops when the sender commits the last row's outcome to the ledger
   (its last ``progress`` call). Reading and checking the file before, and writing the results
   workbook after, are not timed. ``http_429`` and ``max_window`` (the most calls the sandbox saw,
   refused or not, in any 5-second window) come from the sandbox's stats, and every row must be
   created exactly once (one opportunity per lead, none twice).
2. **a plain sequential sender** (unless ``--skip-sequential``): the sandbox is reset (no
   opportunities, fresh counters) and the same rows go out as bulk requests of 25, one request
   at a time, through ``LsqClient.bulk_add``; timed from the first request to the last reply.

The ceiling is 25 calls x 25 rows / 5 s = 125 rows/s. Figures are printed, never asserted.
Last line: ``RESULT rows=<n> rows_per_s=<x> ceiling=125 ratio=<x/125>
sequential_ratio=<y/125> http_429=<k> max_window=<m>`` (targets: ratio >= 0.95,
http_429 = 0, max_window <= 25).
"""

from __future__ import annotations

import csv
import tempfile
import time
from argparse import Namespace
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_support import MAPPING, SendClock, rows_parser, say_progress

from importer.model import OpportunityRow, Outcome
from importer.pipeline import checked_chunks, open_checked, opportunity_rows, send_settings
from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox, SandboxOptions, running_sandbox
from importer.send.payloads import bulk_item
from importer.send.ratelimit import RateLimiter
from importer.send.sender import BULK_LIMIT
from importer.send.transport import LsqClient
from importer.settings import load_settings, parse_rate
from sample_data.make_samples import write_import

RATE = "25/5s"
CEILING = 25 * BULK_LIMIT / 5.0  # rows per second the rate limit allows at best
WINDOW = 5.0  # seconds of the rate limit's window
REPORT_EVERY = 10.0  # seconds between progress lines


@dataclass(frozen=True)
class Figures:
    rows: int
    seconds: float
    created: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Data:
    csv: Path
    account: Path
    emails: frozenset[str]


def make_data(folder: Path, rows: int, seed: int) -> Data:
    """The rows as a CSV (as make_samples writes it), an account whose leads are theirs,
    and those leads."""
    made = write_import(folder, rows, seed)
    with made.csv.open(encoding="utf-8-sig", newline="") as fh:
        emails = frozenset(r["Email"].casefold() for r in csv.DictReader(fh))
    return Data(made.csv, made.account, emails)


def import_run(sandbox: RunningSandbox, data: Data, folder: Path, workers: int) -> Figures:
    settings = load_settings(environ=sandbox.env())
    options = RunOptions(
        out=folder / "results.xlsx", target="bulk", rate=parse_rate(RATE), workers=workers
    )
    clock = SendClock(report_every=REPORT_EVERY, window=WINDOW)
    report = run_import(data.csv, MAPPING, settings, options, progress=clock.begin)
    print(f"  outcomes: {dict(sorted(report.counts.items()))}; aborted: {report.aborted}")
    print(f"  steady rate after the first window: {clock.steady_rows_per_s:.1f} rows/s")
    return Figures(clock.done, clock.seconds, report.counts.get(Outcome.CREATED, 0))


def exactly_once(stats: Mapping[str, Any], emails: frozenset[str]) -> list[str]:
    """What is wrong with the sandbox's opportunities, if anything: every row's lead must
    hold exactly one, and no other lead any."""
    per_lead = {str(k).casefold(): int(v) for k, v in stats["opportunities_per_lead"].items()}
    twice = sorted(k for k, v in per_lead.items() if v > 1)
    missing = sorted(emails - set(per_lead))
    strangers = sorted(set(per_lead) - emails)
    wrong = [
        f"{what}: {len(keys)} (e.g. {keys[:3]})"
        for what, keys in (("created twice", twice), ("missing", missing), ("other", strangers))
        if keys
    ]
    if stats["duplicates_created"]:
        wrong.append(f"duplicates_created: {stats['duplicates_created']}")
    return wrong


def mapped_rows(path: Path) -> Iterator[OpportunityRow]:
    """The file's valid rows, mapped exactly as the importer maps them."""
    source, mapping = open_checked(path, MAPPING)
    for chunk in checked_chunks(source, mapping):
        yield from opportunity_rows(chunk, mapping, source.info.sheet)


def sequential_run(sandbox: RunningSandbox, data: Data) -> Figures:
    """One bulk request of 25 at a time over the same rows, on a reset sandbox."""
    sandbox.reset()
    _, mapping = open_checked(data.csv, MAPPING)
    settings = send_settings(mapping)
    items = [bulk_item(row, settings) for row in mapped_rows(data.csv)]
    # One call at a time is far below the limit at 800 ms latency; the limiter only binds
    # when --latency is set below 200 ms.
    limiter = RateLimiter(parse_rate(RATE))
    created = 0
    with LsqClient(load_settings(environ=sandbox.env()), limiter, pool_size=1) as client:
        started = printed = time.perf_counter()
        for start in range(0, len(items), BULK_LIMIT):
            reply = client.bulk_add(settings.search_by, items[start : start + BULK_LIMIT])
            created += sum(1 for item in reply if item.get("OpportunityCreated"))
            now = time.perf_counter()
            if now - printed >= REPORT_EVERY:
                printed = now
                say_progress(now - started, start + BULK_LIMIT)
        seconds = time.perf_counter() - started
    return Figures(len(items), seconds, created)


def parse_args() -> Namespace:
    parser = rows_parser(__doc__.splitlines()[0], rows=7_500)
    parser.add_argument("--latency", default="800ms±300ms", help="sandbox latency per call")
    parser.add_argument("--workers", type=int, default=RunOptions.workers)
    parser.add_argument("--skip-sequential", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="send_bench-") as tmp:
        folder = Path(tmp)
        data = make_data(folder, args.rows, args.seed)
        print(f"rows={args.rows} latency={args.latency} rate={RATE} workers={args.workers}")
        sandbox_options = SandboxOptions(
            rate=RATE, latency=args.latency, account=data.account, seed=args.seed
        )
        with running_sandbox(sandbox_options) as sandbox:
            print("importer (run_import, target bulk):")
            run = import_run(sandbox, data, folder, args.workers)
            stats = sandbox.stats()
            problems = exactly_once(stats, data.emails)
            print(
                f"  {run.rows} rows in {run.seconds:.2f} s = {run.rows_per_s:.1f} rows/s; "
                f"calls={stats['calls_total']} http_429={stats['http_429']} "
                f"max_window={stats['max_calls_in_window']}"
            )
            print(f"  exactly once: {'yes' if not problems else '; '.join(problems)}")
            seq_ratio = "skipped"
            if not args.skip_sequential:
                print("plain sequential sender (one bulk request of 25 at a time):")
                seq = sequential_run(sandbox, data)
                print(
                    f"  {seq.rows} rows in {seq.seconds:.2f} s = {seq.rows_per_s:.1f} rows/s; "
                    f"created={seq.created}"
                )
                seq_ratio = f"{seq.rows_per_s / CEILING:.3f}"
    print(
        f"RESULT rows={run.rows} rows_per_s={run.rows_per_s:.1f} ceiling={CEILING:g} "
        f"ratio={run.rows_per_s / CEILING:.3f} sequential_ratio={seq_ratio} "
        f"http_429={stats['http_429']} max_window={stats['max_calls_in_window']}"
    )


if __name__ == "__main__":
    main()
