"""How rows and problems are written into the ledger and read back: enough to resend a row
after a crash without the input file. A Noojee lead is marked ``"kind": "noojee"``."""

from __future__ import annotations

import json
from collections.abc import Iterable

from importer.model import DialerLead, OpportunityRow, Problem, ReadyRow

NOOJEE = "noojee"


def row_to_json(row: ReadyRow) -> str:
    """A LeadSquared row as a JSON array in :class:`OpportunityRow`'s field order (written
    for every row and read for every row sent, so kept small and quick); a Noojee lead as
    an object marked ``"kind": "noojee"``."""
    if isinstance(row, DialerLead):
        return _dumps(
            {
                "kind": NOOJEE,
                "sheet": row.sheet,
                "row": row.row,
                "fields": [list(p) for p in row.fields],
                "external_id": row.external_id,
                "identity": row.identity,
                "update": row.update,
                "key": row.key,
            }
        )
    return _dumps(
        (
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
    )


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> ReadyRow:
    """Inverse of :func:`row_to_json` (also reads the object form of the first ledgers)."""
    data = json.loads(text)
    if isinstance(data, dict) and data.get("kind") == NOOJEE:
        return DialerLead(
            sheet=data["sheet"],
            row=int(data["row"]),
            fields=tuple((str(a), str(b)) for a, b in data["fields"]),
            external_id=data["external_id"],
            identity=data["identity"],
            update=bool(data["update"]),
            key=data["key"],
        )
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


def opportunity_from_json(text: str) -> OpportunityRow:
    """:func:`row_from_json` of a row a LeadSquared step reads (a run has one destination)."""
    row = row_from_json(text)
    if not isinstance(row, OpportunityRow):
        raise TypeError("a LeadSquared step read a row of another destination from the ledger")
    return row


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
