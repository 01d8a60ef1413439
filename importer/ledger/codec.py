"""How rows and problems are written into the ledger and read back: enough to resend a row
after a crash without the input file."""

from __future__ import annotations

import json
from collections.abc import Iterable

from importer.model import OpportunityRow, Problem


def row_to_json(row: OpportunityRow) -> str:
    """The row as a JSON array in :class:`OpportunityRow`'s field order (pairs as arrays):
    written for every row and read for every row sent, so kept small and quick."""
    data = (
        row.sheet,
        row.row,
        row.search_value,
        row.lead,
        row.fields,
        row.note,
        row.when,
        row.owner_email,
        row.key,
    )
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> OpportunityRow:
    """Inverse of :func:`row_to_json` (also reads the object form of the first ledgers)."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = [data[name] for name in _FIELDS[:-1]] + [data.get("key", "")]
    sheet, row, search_value, lead, fields, note, when, owner_email, key = data
    return OpportunityRow(
        sheet,
        int(row),
        search_value,
        tuple(map(tuple, lead)),
        tuple(map(tuple, fields)),
        note,
        when,
        owner_email,
        key,
    )


_FIELDS = (
    "sheet",
    "row",
    "search_value",
    "lead",
    "fields",
    "note",
    "when",
    "owner_email",
    "key",
)


NO_PROBLEMS = "[]"


def problems_to_json(problems: Iterable[Problem]) -> str:
    found = [p.to_dict() for p in problems]
    # Most rows have none: the encoder is skipped for them (a cost paid per row sent).
    return json.dumps(found, ensure_ascii=False) if found else NO_PROBLEMS


def problems_from_json(text: str | None) -> tuple[Problem, ...]:
    if not text or text == NO_PROBLEMS:
        return ()
    return tuple(Problem.from_dict(p) for p in json.loads(text))
