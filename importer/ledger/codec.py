"""How rows and problems are written into the ledger and read back: enough to resend a row
after a crash without the input file."""

from __future__ import annotations

import json
from collections.abc import Iterable

from importer.model import OpportunityRow, Problem


def row_to_json(row: OpportunityRow) -> str:
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
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> OpportunityRow:
    """Inverse of :func:`row_to_json`."""
    data = json.loads(text)
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


NO_PROBLEMS = "[]"


def problems_to_json(problems: Iterable[Problem]) -> str:
    found = [p.to_dict() for p in problems]
    # Most rows have none: the encoder is skipped for them (a cost paid per row sent).
    return json.dumps(found, ensure_ascii=False) if found else NO_PROBLEMS


def problems_from_json(text: str | None) -> tuple[Problem, ...]:
    if not text or text == NO_PROBLEMS:
        return ()
    return tuple(Problem.from_dict(p) for p in json.loads(text))
