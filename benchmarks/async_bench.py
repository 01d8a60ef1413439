"""Target ``async`` at the account's limit: ``python benchmarks/async_bench.py [--rows N]``.

Generates N valid rows (default 1,000; seeded; one lead per row, values from
``sample_data/make_samples.py``) as a CSV for ``mappings/opportunities.yaml`` and imports
them with ``run_import(..., RunOptions(target="async"))`` into a sandbox whose queue holds
each request 2 s ± 1 s and whose limit is 50 calls per 5 s, status polls and metrics
counted (the client's ``--rate`` is the same; polls share it).

``seconds`` runs from ``run_import`` handing the checked rows to the sender (its
``progress`` hook is called) to the last outcome committed (its last ``progress`` call).
``calls`` is every call the sandbox saw (the one-off checks of keys and hosts included),
``polls`` the status polls of them. The floor is the time the fewest possible calls - one
submit and one poll per row - take at the limit: 2 x rows / (50 / 5 s). Every row must end
``created`` and be stored exactly once (one opportunity per lead, none twice).

Last line: ``RESULT rows=<n> seconds=<s> calls=<c> polls=<p> polls_per_row=<x>
floor_seconds=<f> ratio=<s/f> max_window=<m>`` (targets: polls_per_row <= 1.3,
ratio <= 1.25, max_window <= 50).
"""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from bench_support import MAPPING, SendClock, rows_parser

from importer.model import Outcome
from importer.run import RunOptions, run_import
from importer.sandbox.testing import SandboxOptions, running_sandbox
from importer.settings import load_settings, parse_rate
from sample_data.make_samples import HEADERS, as_text, make_rows

RATE = "50/5s"
QUEUE_DELAY = "2s±1s"
CALLS, WINDOW = 50, 5.0


def write_rows(folder: Path, rows: int, seed: int) -> tuple[Path, int]:
    """The rows as a CSV (as make_samples writes it), and how many distinct leads they have."""
    records = make_rows(random.Random(seed), rows)
    path = folder / "opportunities.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows([as_text(h, record[h]) for h in HEADERS] for record in records)
    return path, len({str(r["Email"]).casefold() for r in records})


def main() -> None:
    args = rows_parser(__doc__.splitlines()[0], rows=1_000).parse_args()
    with tempfile.TemporaryDirectory(prefix="async_bench-") as tmp:
        folder = Path(tmp)
        source, leads = write_rows(folder, args.rows, args.seed)
        print(f"rows={args.rows} queue delay={QUEUE_DELAY} rate={RATE} (polls counted)")
        options = SandboxOptions(rate=RATE, async_delay=QUEUE_DELAY, seed=args.seed)
        with running_sandbox(options) as sandbox:
            settings = load_settings(environ=sandbox.env())
            run_options = RunOptions(
                out=folder / "results.xlsx",
                ledger=folder / "ledger.sqlite",
                target="async",
                rate=parse_rate(RATE),
            )
            clock = SendClock()
            report = run_import(source, MAPPING, settings, run_options, progress=clock.begin)
            stats = sandbox.stats()
    created = report.counts.get(Outcome.CREATED, 0)
    per_lead = stats["opportunities_per_lead"]
    once = stats["duplicates_created"] == 0 and len(per_lead) == leads
    once = once and sum(per_lead.values()) == created == args.rows
    print(f"  outcomes: {dict(sorted(report.counts.items()))}; aborted: {report.aborted}")
    print(f"  calls: {stats['calls']}; http_429={stats['http_429']}")
    print(f"  exactly once: {'yes' if once else 'NO'}")
    polls = int(stats["calls"].get("async/status", 0))
    floor = 2 * args.rows / (CALLS / WINDOW)
    print(
        f"RESULT rows={args.rows} seconds={clock.seconds:.1f} calls={stats['calls_total']} "
        f"polls={polls} polls_per_row={polls / args.rows:.3f} floor_seconds={floor:g} "
        f"ratio={clock.seconds / floor:.3f} max_window={stats['max_calls_in_window']}"
    )


if __name__ == "__main__":
    main()
