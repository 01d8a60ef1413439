"""Valid rows of a Noojee mapping -> :class:`DialerLead`: the very objects the import sends
(the dry run builds them too), and the rows that name a lead an earlier row already named.

What each lead carries, in the mapping's order: its non-empty cells, already cleaned by
the column checks, with Noojee's forms: ``njCallBackDate`` as ``yyyy/MM/dd HH:mm`` in
``contact_hours_timezone`` (a DateTime column was read in the mapping's ``timezone``),
``njPriority`` a whole number, ``njDisposition`` spelt as the campaign lists it; then the
constants (``njContactHours``). On update an empty cell is sent as ``<NO CHANGE>`` (the
documented way to keep a value: Noojee does not say what a left-out field does).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from importer.mapping.model import Mapping
from importer.mapping.noojee import (
    CALL_BACK,
    DISPOSITION,
    EXTERNAL_ID,
    NO_CHANGE,
    PRIORITY,
    NoojeeSection,
)
from importer.model import DialerLead, Problem
from importer.send.noojee.identity import lead_identity
from importer.validation import CheckedChunk
from importer.validation.duplicates import DuplicateTracker
from importer.validation.noojee import CALL_BACK_FORMAT
from importer.validation.problems import quote

_UTC = "%Y-%m-%d %H:%M:%S"  # how the column checks write a DateTime


class DialerLeads:
    """Builds the leads of one sheet chunk by chunk; remembers every lead seen."""

    def __init__(self, mapping: Mapping, sheet: str) -> None:
        if mapping.noojee is None:
            raise ValueError(f"{mapping.path} is not a Noojee mapping")
        self.section: NoojeeSection = mapping.noojee
        self.sheet = sheet
        self.constants = tuple((k, v) for k, v in mapping.constants if v.strip())
        self._fields = [f for f in mapping.fields if f.column is not None]
        self._by_target = {f.target: f for f in self._fields}
        self._seen = DuplicateTracker()

    def build(self, chunk: CheckedChunk) -> Iterator[tuple[DialerLead, list[Problem]]]:
        """Each valid row's lead, with a problem when an earlier row is the same lead."""
        values = chunk.values.drop(index=sorted(chunk.invalid_rows))
        values = self._noojee_forms(values)
        keys = [f.key for f in self._fields]
        leads = [
            self._lead(int(row), dict(zip(keys, cells, strict=True)))
            for row, *cells in values[keys].itertuples(index=True, name=None)
        ]
        if not leads:
            return
        identities = pd.DataFrame({"identity": [lead.identity for lead in leads]})
        identities.index = pd.Index([lead.row for lead in leads])
        everyone = pd.Series(True, index=identities.index)
        earlier = self._seen.earlier_rows(identities, everyone)
        for lead, first in zip(leads, earlier.tolist(), strict=True):
            yield lead, ([self._repeat(lead, int(first))] if first else [])

    def _noojee_forms(self, values: pd.DataFrame) -> pd.DataFrame:
        values = values.copy()
        for spec in self._fields:
            cells = values[spec.key]
            given = cells.ne("") & cells.ne(NO_CHANGE)
            if spec.target == CALL_BACK and spec.type == "DateTime":
                values[spec.key] = cells.mask(given, self._call_back(cells[given]))
            elif spec.target == PRIORITY:
                whole = pd.to_numeric(cells[given], errors="coerce").astype("Int64")
                values[spec.key] = cells.mask(given, whole.astype(str))
            elif spec.target == DISPOSITION:
                values[spec.key] = cells.map(self._spelt)
        return values

    def _spelt(self, disposition: str) -> str:
        """A disposition as the campaign lists it (the dry run compares them ignoring case)."""
        listed = {d.casefold(): d for d in self.section.dispositions}
        return listed.get(disposition.casefold(), disposition)

    def _call_back(self, cells: pd.Series) -> pd.Series:
        """UTC (as the column checks read the sheet) -> Noojee's form in its timezone."""
        moments = pd.to_datetime(cells, format=_UTC).dt.tz_localize("UTC")
        local = moments.dt.tz_convert(self.section.call_back_timezone)
        return local.dt.strftime(CALL_BACK_FORMAT)

    def _lead(self, row: int, cells: dict[str, str]) -> DialerLead:
        update = self.section.update
        pairs = []
        for spec in self._fields:
            value = cells[spec.key]
            if value == "" and update and spec.target != EXTERNAL_ID:
                value = NO_CHANGE
            if value != "":
                pairs.append((spec.target, value))
        pairs += self.constants
        sent = dict(pairs)
        external_id = sent.get(EXTERNAL_ID, "")
        phones = [sent.get(name, "") for name in self.section.phone_fields]
        identity = lead_identity(self.section.campaign_id, external_id, _numbers(phones))
        return DialerLead(self.sheet, row, tuple(pairs), external_id, identity, update)

    def _repeat(self, lead: DialerLead, first: int) -> Problem:
        """An earlier row named the same lead (the external id always comes from a column:
        the mapping refuses it as a constant)."""
        if lead.external_id:
            spec = self._by_target.get(EXTERNAL_ID)
            same = f"same {EXTERNAL_ID} {quote(lead.external_id)}"
            fix = "give each its own"
        else:
            spec = next((f for f in self._fields if f.target in self.section.phone_fields), None)
            same = f"same phone numbers and no {EXTERNAL_ID}"
            fix = f"tell them apart with an {EXTERNAL_ID} column"
        message = (
            f"Row {lead.row}: {same} as row {first}, so it is the same Noojee lead twice — "
            f"delete one of the two rows or {fix}"
        )
        column, field = (spec.column, spec.target) if spec else (None, None)
        return Problem(lead.sheet, lead.row, column, field, "same_lead_in_file", message)


def _numbers(phones: list[str]) -> list[str]:
    return [phone for phone in phones if phone not in ("", NO_CHANGE)]
