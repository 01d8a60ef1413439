"""Checking the chunks of a Noojee mapping: the columns as for LeadSquared (types, lengths,
options: :class:`Checker`), then what Noojee refuses whatever its campaign holds.

``<NO CHANGE>`` (any letter case) keeps a lead's value on update: such cells skip the
column checks (a Phone column may hold it) and come back as ``<NO CHANGE>``; on insert
each is a problem. The row rules, each a stable problem code (README, "Noojee Contact"):

    no_phone_number       insert: no phone field filled (Noojee: 102 NO_PHONE_FIELDS)
    no_change_on_insert   insert: a <NO CHANGE> cell (108 IMPORT_BUT_NOCHANGE_SPECIFIED)
    missing_unique_field  update: no njExternalLeadId to find the lead by (101)
    unknown_disposition   njDisposition not one of noojee.dispositions (106)
    bad_datetime          a text njCallBackDate that is not yyyy/MM/dd HH:mm
    bad_priority          njPriority not a whole number from 0 to 100

Rows that name the same lead twice (``same_lead_in_file``) are found once the leads are
built (:mod:`importer.send.noojee.leads`): their identity lives there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd

from importer.mapping.model import FieldSpec, Mapping
from importer.mapping.noojee import (
    CALL_BACK,
    DISPOSITION,
    EXTERNAL_ID,
    NO_CHANGE,
    PRIORITY,
    NoojeeSection,
)
from importer.model import Problem
from importer.validation.checker import CheckedChunk, Checker
from importer.validation.problems import or_list, quote

CALL_BACK_FORMAT = "%Y/%m/%d %H:%M"  # Noojee's yyyy/MM/dd HH:mm
_CALL_BACK_TEXT = r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}"
_WHOLE = r"-?\d+(?:\.0+)?"


def is_no_change(cells: pd.Series) -> pd.Series:
    return cells.astype(str).str.strip().str.casefold().eq(NO_CHANGE.casefold())


class NoojeeChecker(Checker):
    """Checks the chunks of one sheet for a ``destination: noojee`` mapping, in order: the
    column checks of :class:`Checker`, then Noojee's row rules."""

    def __init__(self, mapping: Mapping, sheet: str, letters: dict[str, str] | None = None) -> None:
        if mapping.noojee is None:
            raise ValueError(f"{mapping.path} is not a Noojee mapping")
        super().__init__(mapping, sheet, letters)
        self.section: NoojeeSection = mapping.noojee
        self._mapped = [f for f in mapping.fields if f.column is not None]
        self._phone_constant = any(
            name in self.section.phone_fields and value.strip() for name, value in mapping.constants
        )

    def check(self, raw: pd.DataFrame, found: Sequence[Problem] = ()) -> CheckedChunk:
        """``raw``: a reader chunk of text cells, index = spreadsheet row numbers;
        ``found``: what the reader found wrong with its rows."""
        kept = {f.column: is_no_change(raw[f.column]) for f in self._mapped if f.column}
        blanked = raw.copy()
        for column, mask in kept.items():
            blanked.loc[mask, column] = ""
        checked = super().check(blanked, found)
        values = checked.values.copy()
        for spec in self._mapped:
            values.loc[kept[spec.column or ""], spec.key] = NO_CHANGE
        # A cell kept as <NO CHANGE> was blank to the column checks: "required" is moot.
        problems = [p for p in checked.problems if not _kept(p, kept)]
        flagged = {(p.row, p.column) for p in problems}
        problems += self._row_problems(values, kept, flagged)
        problems.sort(key=lambda p: p.row)
        rows = frozenset(p.row for p in problems)
        return CheckedChunk(values, tuple(problems), rows, checked.filled)

    def _row_problems(
        self,
        values: pd.DataFrame,
        kept: dict[str, pd.Series],
        flagged: set[tuple[int, str | None]],
    ) -> Iterator[Problem]:
        """Each rule's problems, except where the column checks already found one."""
        found: list[Problem] = []
        if not self.section.update:
            found += self._no_change_on_insert(kept)
            found += self._no_phone(values)
        for spec in self._mapped:
            cells = values[spec.key]
            if spec.target == EXTERNAL_ID and self.section.update:
                found += self._no_external_id(spec, cells)
            elif spec.target == DISPOSITION and self.section.dispositions:
                found += self._unknown_disposition(spec, cells)
            elif spec.target == CALL_BACK and spec.type == "String":
                found += self._bad_call_back(spec, cells)
            elif spec.target == PRIORITY:
                found += self._bad_priority(spec, cells)
        return (p for p in found if (p.row, p.column) not in flagged)

    def _no_change_on_insert(self, kept: dict[str, pd.Series]) -> Iterator[Problem]:
        text = (
            f"{quote(NO_CHANGE)} keeps a lead's value when it is updated; a new lead has "
            "none, so Noojee refuses it (code 108) — write the value or empty the cell"
        )
        for spec in self._mapped:
            for row in _rows(kept[spec.column or ""]):
                yield self._problem(row, spec, "no_change_on_insert", text)

    def _no_phone(self, values: pd.DataFrame) -> Iterator[Problem]:
        phones = [f for f in self._mapped if f.target in self.section.phone_fields]
        if self._phone_constant or not phones:
            return
        given = pd.Series(False, index=values.index)
        for spec in phones:
            given |= _given(values[spec.key])
        columns = or_list([f"'{f.label}'" for f in phones])
        text = f"no phone number; fill in {columns} — Noojee refuses a lead without one (code 102)"
        for row in _rows(~given):
            yield self._problem(row, phones[0], "no_phone_number", text)

    def _no_external_id(self, spec: FieldSpec, cells: pd.Series) -> Iterator[Problem]:
        for row in _rows(~_given(cells)):
            what = "empty" if cells[row] == "" else f"{quote(NO_CHANGE)} names no lead"
            text = f"{what}; Noojee finds the lead to update by its {EXTERNAL_ID} — fill it in"
            yield self._problem(row, spec, "missing_unique_field", text)

    def _unknown_disposition(self, spec: FieldSpec, cells: pd.Series) -> Iterator[Problem]:
        known = {d.casefold() for d in self.section.dispositions}
        bad = _given(cells) & ~cells.str.casefold().isin(known)
        choices = or_list(list(self.section.dispositions))
        for row in _rows(bad):
            text = (
                f"{quote(cells[row])} is not a disposition of campaign "
                f"{self.section.campaign_id}; choose {choices} (or {NO_CHANGE})"
            )
            yield self._problem(row, spec, "unknown_disposition", text)

    def _bad_call_back(self, spec: FieldSpec, cells: pd.Series) -> Iterator[Problem]:
        given = _given(cells)
        parsed = pd.to_datetime(cells.where(given), format=CALL_BACK_FORMAT, errors="coerce")
        bad = given & (~cells.str.fullmatch(_CALL_BACK_TEXT) | parsed.isna())
        for row in _rows(bad):
            text = f"{quote(cells[row])} is not a date and time; write it like 2027/02/05 14:30"
            yield self._problem(row, spec, "bad_datetime", text)

    def _bad_priority(self, spec: FieldSpec, cells: pd.Series) -> Iterator[Problem]:
        given = _given(cells)
        whole = cells.str.fullmatch(_WHOLE)
        number = pd.to_numeric(cells.where(given & whole), errors="coerce")
        for row in _rows(given & ~(whole & number.between(0, 100))):
            text = f"{quote(cells[row])} is not a priority; write a whole number from 0 to 100"
            yield self._problem(row, spec, "bad_priority", text)

    def _problem(self, row: int, spec: FieldSpec, code: str, text: str) -> Problem:
        message = f"Row {row}, column '{spec.label}': {text}"
        return Problem(self.sheet, row, spec.column, spec.target, code, message)


def _given(cells: pd.Series) -> pd.Series:
    """A value to send: neither empty nor <NO CHANGE>."""
    return cells.ne("") & cells.ne(NO_CHANGE)


def _rows(mask: pd.Series) -> list[int]:
    return [int(row) for row in mask[mask].index]


def _kept(problem: Problem, kept: dict[str, pd.Series]) -> bool:
    mask = kept.get(problem.column or "")
    return mask is not None and bool(mask.get(problem.row, False))
