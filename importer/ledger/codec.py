"""How rows and problems are written into the ledger and read back: enough to resend a row
after a crash without the input file. A Noojee lead is marked ``"kind": "noojee"``."""

from __future__ import annotations

import json
from collections.abc import Iterable

from importer.model import DialerLead, OpportunityRow, Problem, ReadyRow

NOOJEE = "noojee"


def row_to_json(row: ReadyRow) -> str:
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
    data = {
        "sheet": row.sheet,
        "row": row.row,
        "search_value": row.search_value,
        "lead": [list(p) for p in row.lead],
        "fields": [list(p) for p in row.fields],
        "note": row.note,
        "when": row.when,
        "owner_email": row.owner_email,
        "key": row.key,
    }
    return _dumps(data)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> ReadyRow:
    """Inverse of :func:`row_to_json`."""
    data = json.loads(text)
    if data.get("kind") == NOOJEE:
        return DialerLead(
            sheet=data["sheet"],
            row=int(data["row"]),
            fields=tuple((str(a), str(b)) for a, b in data["fields"]),
            external_id=data["external_id"],
            identity=data["identity"],
            update=bool(data["update"]),
            key=data["key"],
        )
    return OpportunityRow(
        sheet=data["sheet"],
        row=int(data["row"]),
        search_value=data["search_value"],
        lead=tuple((str(a), str(b)) for a, b in data["lead"]),
        fields=tuple((str(a), str(b)) for a, b in data["fields"]),
        note=data["note"],
        when=data["when"],
        owner_email=data["owner_email"],
        key=data.get("key", ""),
    )


def opportunity_from_json(text: str) -> OpportunityRow:
    """:func:`row_from_json` of a row a LeadSquared step reads (a run has one destination)."""
    row = row_from_json(text)
    if not isinstance(row, OpportunityRow):
        raise TypeError("a LeadSquared step read a row of another destination from the ledger")
    return row


def problems_to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.to_dict() for p in problems], ensure_ascii=False)


def problems_from_json(text: str | None) -> tuple[Problem, ...]:
    return tuple(Problem.from_dict(p) for p in json.loads(text or "[]"))
