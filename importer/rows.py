"""Valid checked rows -> :class:`OpportunityRow`, the input of batching and sending.

Empty values are left out (LeadSquared would otherwise blank the field); constants from the
mapping are added to every row in their place (lead, opportunity field or request key).
"""

from __future__ import annotations

from collections.abc import Iterator

from importer.mapping.model import LEAD_PREFIX, META_TARGETS, Mapping
from importer.model import OpportunityRow
from importer.validation.checker import CheckedChunk


def opportunity_rows(chunk: CheckedChunk, mapping: Mapping, sheet: str) -> Iterator[OpportunityRow]:
    """One OpportunityRow per valid row of ``chunk``, in row order."""
    values = chunk.values
    if chunk.invalid_rows:
        values = values.drop(index=sorted(chunk.invalid_rows))
    keys = [str(c) for c in values.columns]
    search = keys.index(mapping.search_key)
    for row, *cells in values.itertuples(index=True, name=None):
        pairs = [(k, v) for k, v in zip(keys, cells, strict=True) if v != ""]
        yield _row(sheet, int(row), str(cells[search]), [*pairs, *mapping.constants])


def _row(sheet: str, row: int, search_value: str, pairs: list[tuple[str, str]]) -> OpportunityRow:
    lead = tuple((k.removeprefix(LEAD_PREFIX), v) for k, v in pairs if k.startswith(LEAD_PREFIX))
    meta = {k: v for k, v in pairs if k in META_TARGETS}
    fields = tuple(
        (k, v) for k, v in pairs if not k.startswith(LEAD_PREFIX) and k not in META_TARGETS
    )
    return OpportunityRow(
        sheet=sheet,
        row=row,
        search_value=search_value,
        lead=lead,
        fields=fields,
        note=meta.get("OpportunityNote"),
        when=meta.get("OpportunityDateTime"),
        owner_email=meta.get("OpportunityOwnerEmail"),
    )
