"""The steps the dry run and the import share, up to the HTTP call (django-import-export's
habit: the dry run is the real code path with sending switched off).

    open_checked      the file and the mapping, opened and checked to fit each other
    checked_chunks    every chunk of the file, normalised and validated (problems as values)
    opportunity_rows  valid rows -> send-ready :class:`OpportunityRow` (constants applied here,
                      once: lead constants to LeadDetails, meta ones to the request, the rest
                      to the opportunity's Fields); for a ``destination: noojee`` mapping,
                      :class:`DialerLead` instead (importer.send.noojee.leads)
    send_settings     the typed, frozen seam from the mapping to the payload builders
    payload_problems  what the payload builder refuses, as row problems
    prepared_chunks   all of the above, chunk by chunk: rows to send and rows refused
    notes             what the admin must read before trusting the results
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from collections.abc import Mapping as ReadOnly
from dataclasses import dataclass, field
from pathlib import Path

from importer.errors import UsageError
from importer.mapping import Mapping, load_mapping, open_for_mapping
from importer.mapping.model import LEAD_PREFIX, META_TARGETS
from importer.model import OpportunityRow, Outcome, Problem, ReadyRow, RowOutcome, Target
from importer.reader import Source, SourceInfo, reopen
from importer.report import ResultsInput
from importer.send.noojee.leads import DialerLeads
from importer.send.payloads import (
    SendSettings,
    bulk_item,
    capture_body,
    refused_names,
    schema_name_problem,
)
from importer.validation import CheckedChunk, Checker, check_source
from importer.validation.noojee import NoojeeChecker

# Rows read, checked and turned into requests at a time. 25,000 is as fast as 50,000 (the
# checks are vectorised either way) and peaks 75 MB lower: the send-ready rows of a chunk
# are Python objects (measured with benchmarks/report_bench.py, 2026-11-29).
CHUNK_ROWS = 25_000


def results_path(path: str | Path, out: str | Path | None = None) -> Path:
    """The results workbook: ``out``, or the input's name + ``-results.xlsx`` in the current
    folder. Its folder is created now, so a long run never fails at the very end."""
    chosen = Path(out) if out is not None else Path(f"{Path(path).stem}-results.xlsx")
    if chosen.suffix.lower() != ".xlsx":
        raise UsageError(
            f"--out {chosen} must end in .xlsx: the results are an Excel workbook (the fix "
            "file beside it keeps the input's own format)."
        )
    try:
        chosen.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Cannot create the folder {chosen.parent}: {exc.strerror}") from None
    return chosen


def as_mapping(mapping: str | Path | Mapping) -> Mapping:
    return mapping if isinstance(mapping, Mapping) else load_mapping(mapping)


def open_checked(
    path: str | Path,
    mapping: str | Path | Mapping,
    sheet: str | int | None = None,
    *,
    header_row: int | None = None,
    encoding: str | None = None,
) -> tuple[Source, Mapping]:
    """Open the file and the mapping and check they fit, before any row is read. The
    sheet and header row given here win over the mapping's ``sheet:``/``header_row:``."""
    loaded = as_mapping(mapping)
    source = open_for_mapping(path, loaded, sheet=sheet, header_row=header_row, encoding=encoding)
    return source, loaded


def chosen_target(mapping: Mapping, target: Target | None) -> Target:
    """``target`` (``--target``), else the mapping's; a Noojee mapping has only its own."""
    if mapping.noojee is not None and target not in (None, "noojee"):
        raise UsageError(
            f"--target {target} is for LeadSquared mappings; {mapping.path.name} sends to "
            "Noojee Contact (destination: noojee). Leave --target out."
        )
    return target or mapping.target


def checked_chunks(source: Source, mapping: Mapping) -> Iterator[CheckedChunk]:
    """Every chunk of the file, mapped and validated, with the reader's row problems."""
    checker = NoojeeChecker if mapping.noojee else Checker
    return check_source(source, mapping, CHUNK_ROWS, checker)


def invalid_outcomes(chunk: CheckedChunk, sheet: str) -> Iterator[RowOutcome]:
    """One `invalid` outcome per invalid row of the chunk, holding all its problems."""
    by_row: dict[int, list[Problem]] = {}
    for problem in chunk.problems:
        by_row.setdefault(problem.row, []).append(problem)
    for row in sorted(chunk.invalid_rows):
        yield invalid_outcome(sheet, row, by_row.get(row, ()))


def invalid_outcome(sheet: str, row: int, problems: Sequence[Problem]) -> RowOutcome:
    message = "; ".join(p.message for p in problems)
    return RowOutcome(sheet, row, Outcome.INVALID, message=message, problems=tuple(problems))


def opportunity_rows(chunk: CheckedChunk, mapping: Mapping, sheet: str) -> Iterator[OpportunityRow]:
    """One send-ready row per valid row of ``chunk``, in row order. Empty values are left
    out (LeadSquared would otherwise blank the field)."""
    values = chunk.values
    if chunk.invalid_rows:
        values = values.drop(index=sorted(chunk.invalid_rows))
    keys = [str(c) for c in values.columns]
    search = keys.index(mapping.search_key)
    places = _Places.of(keys, mapping.constants)
    # Plain object arrays: walking pandas' string arrays cell by cell costs 10x more.
    columns = [values.iloc[:, i].to_numpy(dtype=object) for i in range(len(keys))]
    for row, *cells in zip(values.index.tolist(), *columns, strict=True):
        yield places.row(sheet, int(row), str(cells[search]), cells)


Placed = tuple[tuple[int, str], ...]  # (cell index, name in the request), in column order
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Places:
    """Where each column and constant of a chunk goes - the lead (``lead.`` prefix, which is
    dropped), the opportunity's meta keys, or its fields - worked out once per chunk; the
    constants come after the columns, each set once (promise: constants applied once)."""

    lead: Placed
    meta: Placed
    fields: Placed
    lead_constants: Pairs
    meta_constants: Pairs
    field_constants: Pairs

    @classmethod
    def of(cls, keys: Sequence[str], constants: Sequence[tuple[str, str]]) -> _Places:
        def where(key: str) -> str:
            if key.startswith(LEAD_PREFIX):
                return "lead"
            return "meta" if key in META_TARGETS else "fields"

        def placed(place: str) -> Placed:
            return tuple(
                (i, k.removeprefix(LEAD_PREFIX)) for i, k in enumerate(keys) if where(k) == place
            )

        def constant(place: str) -> Pairs:
            return tuple(
                (k.removeprefix(LEAD_PREFIX), v) for k, v in constants if where(k) == place
            )

        return cls(
            placed("lead"),
            placed("meta"),
            placed("fields"),
            constant("lead"),
            constant("meta"),
            constant("fields"),
        )

    def row(self, sheet: str, row: int, search_value: str, cells: Sequence[str]) -> OpportunityRow:
        lead = tuple((name, cells[i]) for i, name in self.lead if cells[i] != "")
        fields = tuple((name, cells[i]) for i, name in self.fields if cells[i] != "")
        meta = {name: cells[i] for i, name in self.meta if cells[i] != ""}
        meta.update(self.meta_constants)
        return OpportunityRow(
            sheet=sheet,
            row=row,
            search_value=search_value,
            lead=lead + self.lead_constants,
            fields=fields + self.field_constants,
            note=meta.get("OpportunityNote"),
            when=meta.get("OpportunityDateTime"),
            owner_email=meta.get("OpportunityOwnerEmail"),
        )


def send_settings(mapping: Mapping) -> SendSettings:
    """The mapping's request settings, typed: the one place the mapping meets the payloads."""
    return SendSettings(
        search_by=mapping.search_by,
        event_code=mapping.event_code,
        update_empty_fields=mapping.update_empty_fields,
        overwrite_fields=mapping.overwrite_fields,
        do_not_change_owner=mapping.do_not_change_owner,
        do_not_post_duplicate_activity=mapping.do_not_post_duplicate_activity,
        duplicate_key=mapping.duplicate_key,
        columns=tuple((f.target, f.column) for f in mapping.fields if f.column is not None),
    )


def payload_problems(row: OpportunityRow, settings: SendSettings, target: Target) -> list[Problem]:
    """Build the request bodies the import would send for ``row`` and return what in them
    LeadSquared would refuse whatever the data (a dry run therefore sees it too)."""
    bodies = []
    if target in ("bulk", "auto"):
        bodies.append(bulk_item(row, settings))
    if target != "bulk":
        bodies.append(capture_body(row, settings)["Opportunity"])
    names = frozenset(f["SchemaName"] for body in bodies for f in body["Fields"])
    found = (schema_name_problem(row, name, settings) for name in refused_names(names))
    return [problem for problem in found if problem is not None]


@dataclass(frozen=True, slots=True)
class Prepared:
    """One chunk, ready: the rows to send, and the rows that cannot be sent with why."""

    rows_read: int
    ready: tuple[ReadyRow, ...]
    invalid: tuple[RowOutcome, ...]  # in row order
    problems: tuple[Problem, ...]  # every problem of the chunk, in row order
    filled: ReadOnly[str, int] = field(default_factory=dict)  # field key -> non-empty cells


def prepared_chunks(source: Source, mapping: Mapping, target: Target) -> Iterator[Prepared]:
    """Every chunk of the file through every step before sending; the dry run and the
    import both walk exactly this."""
    build = row_builder(mapping, source.info.sheet, target)
    sheet = source.info.sheet
    for chunk in checked_chunks(source, mapping):
        ready: list[ReadyRow] = []
        refused: dict[int, list[Problem]] = {}
        for row, found in build(chunk):
            if found:
                refused[row.row] = found
            else:
                ready.append(row)
        invalid = [*invalid_outcomes(chunk, sheet)]
        invalid += [invalid_outcome(sheet, row, found) for row, found in refused.items()]
        problems = [*chunk.problems, *(p for found in refused.values() for p in found)]
        yield Prepared(
            rows_read=len(chunk.values),
            filled=chunk.filled,
            ready=tuple(ready),
            invalid=tuple(sorted(invalid, key=lambda o: o.row)),
            problems=tuple(sorted(problems, key=lambda p: p.row)),
        )


RowBuilder = Callable[[CheckedChunk], Iterator[tuple[ReadyRow, list[Problem]]]]


def row_builder(mapping: Mapping, sheet: str, target: Target) -> RowBuilder:
    """A chunk's valid rows -> each row to send, with what its request would be refused
    for: the payload checks (LeadSquared), or a lead an earlier row already named (Noojee,
    whose builder remembers every lead of the sheet)."""
    if mapping.noojee is not None:
        return DialerLeads(mapping, sheet).build
    settings = send_settings(mapping)

    def build(chunk: CheckedChunk) -> Iterator[tuple[ReadyRow, list[Problem]]]:
        for row in opportunity_rows(chunk, mapping, sheet):
            yield row, payload_problems(row, settings, target)

    return build


def mapping_notes(mapping: Mapping, target: Target | None = None) -> tuple[str, ...]:
    """What the endpoint (``target``, default the mapping's) will not send, said before
    anything is sent: the bulk API documents no OpportunityDateTime and never changes the
    lead, so such columns would otherwise be dropped without a word."""
    target = target or mapping.target
    if target in ("capture", "async"):  # one capture body per row: every column is sent
        return ()
    found: list[str] = []
    when = mapping.field_for("OpportunityDateTime")
    if when is not None and when.column:
        route = "goes" if target == "bulk" else "may go"
        found.append(
            f"column '{when.column}' (OpportunityDateTime) is not sent for rows that go through "
            f"the bulk endpoint, and with target '{target}' a row {route} there; "
            "use target: capture to send it"
        )
    lead_columns = [
        f"'{f.column}'"
        for f in mapping.fields
        if f.place == "lead" and f.key != mapping.search_key and f.column
    ]
    if target == "bulk" and lead_columns:
        found.append(
            f"target bulk only finds existing leads: lead columns {', '.join(lead_columns)} "
            "are not sent (target: auto or capture creates or updates leads)"
        )
    return tuple(found)


def notes(info: SourceInfo, mapping: Mapping, target: Target | None = None) -> tuple[str, ...]:
    """Everything the admin should read before trusting the results."""
    return info.warnings + mapping_notes(mapping, target)


def source_details(
    info: SourceInfo, mapping: Mapping, target: Target | None = None
) -> list[tuple[str, str]]:
    details = [
        ("Input file", str(info.path)),
        ("Sheet", info.sheet),
        ("Mapping", str(mapping.path)),
    ]
    return details + [("Note", note) for note in notes(info, mapping, target)]


def results_input(
    info: SourceInfo,
    *,
    outcomes: ReadOnly[int, RowOutcome],
    default: Outcome,
    problems: Sequence[Problem],
    title: str,
    details: Sequence[tuple[str, str]],
    mapping: Mapping | None = None,
    goal: Outcome = Outcome.CREATED,
    server: str = "LeadSquared",
) -> ResultsInput:
    """What the report stage needs; it re-reads the file so memory stays flat. With the
    ``mapping``, the report refuses to write over it and knows which columns it reads."""
    source = reopen(info)
    mapped = frozenset(f.column for f in mapping.fields if f.column) if mapping else frozenset()
    return ResultsInput(
        source_format=info.format,
        sheet=info.sheet,
        headers=info.headers,
        rows=lambda: source.chunks(CHUNK_ROWS),
        outcomes=outcomes,
        default=default,
        problems=problems,
        title=title,
        details=details,
        csv_encoding=info.encoding,
        csv_delimiter=info.delimiter,
        input_path=info.path,
        mapping_path=mapping.path if mapping else None,
        mapped_columns=mapped,
        goal=goal,
        server=server,
    )
