"""Helpers for tests that drive the sender and the ledger directly (no input file)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from importer.ledger import Ledger, LedgerRun, RunSpec
from importer.model import OpportunityRow, RowOutcome, Target
from importer.pipeline import Prepared
from importer.send.payloads import SendSettings


def spec(target: Target = "bulk", name: str = "rows.csv", resend: bool = False) -> RunSpec:
    """A run of a file called ``name`` (its identity: the name stands in for its content)."""
    return RunSpec(
        file=Path(name),
        file_sha256=name,
        sheet=name,
        mapping=Path("mapping.yaml"),
        mapping_digest="mapping",
        target=target,
        event_code=12000,
        allow_resend=resend,
    )


@contextmanager
def open_run(path: Path, host: str, run_spec: RunSpec | None = None) -> Iterator[LedgerRun]:
    with Ledger.open(path, host) as ledger:
        yield ledger.start_run(run_spec or spec())


def add_rows(
    run: LedgerRun, rows: Sequence[OpportunityRow], settings: SendSettings
) -> list[OpportunityRow]:
    """Record ``rows`` as one valid chunk; returns them with their ledger keys."""
    return run.add(Prepared(len(rows), tuple(rows), (), ()), settings)


def outcomes(run: LedgerRun) -> dict[int, RowOutcome]:
    return {o.row: o for o in run.outcomes_from(0, 10**9)}
