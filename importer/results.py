"""The results of an import run: its workbook and fix file, written from the ledger - or
kept, when a re-run that sent nothing would write the very same outcomes again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from importer.ledger import LedgerRun
from importer.mapping import Mapping as MappingFile
from importer.model import JsonDict, Outcome, Problem, RowOutcome
from importer.pipeline import results_input
from importer.reader import SourceInfo
from importer.report import ResultFiles, write_results


def import_results(
    run: LedgerRun,
    info: SourceInfo,
    mapping: MappingFile,
    outcomes: Mapping[int, RowOutcome],
    problems: Sequence[Problem],
    details: Sequence[tuple[str, str]],
    out: Path,
    counts: Mapping[Outcome, int],
    goal: Outcome = Outcome.CREATED,
    server: str = "LeadSquared",
) -> tuple[ResultFiles, bool]:
    """The run's result files, and whether they were written now (False: kept as they were
    because nothing changed since they were written)."""
    wanted: JsonDict = {
        "workbook": str(out.resolve()),
        "counts": {str(k): n for k, n in sorted(counts.items())},
    }
    saved = run.results_record()
    kept = _kept(saved, wanted)
    if kept is not None:
        return kept, False
    results = results_input(
        info,
        outcomes=outcomes,
        default=Outcome.PENDING,
        problems=problems,
        title="Import",
        details=details,
        mapping=mapping,
        goal=goal,
        server=server,
    )
    files = write_results(out, results)
    run.save_results_record({**wanted, "files": _files_record(files)})
    return files, True


def _kept(saved: JsonDict, wanted: JsonDict) -> ResultFiles | None:
    record = saved.get("files")
    if {k: saved.get(k) for k in wanted} != wanted or not isinstance(record, dict):
        return None
    files = ResultFiles(
        workbook=Path(record["workbook"]),
        fix_file=_path(record.get("fix_file")),
        spill_csv=_path(record.get("spill_csv")),
        problems_spill_csv=_path(record.get("problems_spill_csv")),
    )
    written = [p for p in (files.workbook, files.fix_file, files.spill_csv) if p is not None]
    return files if all(p.exists() for p in written) else None


def _files_record(files: ResultFiles) -> JsonDict:
    return {
        "workbook": str(files.workbook),
        "fix_file": str(files.fix_file) if files.fix_file else None,
        "spill_csv": str(files.spill_csv) if files.spill_csv else None,
        "problems_spill_csv": str(files.problems_spill_csv) if files.problems_spill_csv else None,
    }


def _path(value: object) -> Path | None:
    return Path(str(value)) if value else None
