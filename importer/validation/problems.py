"""Turning pandera's failure cases into :class:`Problem` values an admin can act on.

Only the ``check``, ``column`` and ``index`` columns of ``SchemaErrors.failure_cases`` are
used (never pandera's text report); messages quote the admin's own cell text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from importer.mapping.model import COMMENT_FIELD, STATUS_FIELD, DependentRule, FieldSpec, Mapping
from importer.model import Problem
from importer.validation.schema import EARLIER_ROW
from importer.wording import listing, quoted

_EXAMPLES = {"Date": "2027-01-15", "DateTime": "2027-01-15 13:45"}
Describe = Callable[[FieldSpec, str], str]


def quote(text: str) -> str:
    return quoted(text)


def or_list(options: tuple[str, ...] | list[str]) -> str:
    return listing(options, last="or", quote=False, limit=8)


def _phone(spec: FieldSpec, cell: str) -> str:
    code = spec.country_code or "91"
    return f"{quote(cell)} is not a phone number; write it like +{code}-9876543210"


def _number_example(spec: FieldSpec) -> str:
    grouped = f"1{spec.thousands}200" if spec.thousands not in ("", ",") else "1200"
    return f"{grouped}{spec.decimal}50"


def _date(spec: FieldSpec, cell: str) -> str:
    example = _EXAMPLES[spec.type]
    if spec.date_format:
        example += " or " + pd.Timestamp(2027, 1, 15, 13, 45).strftime(spec.date_format)
    kind = "date" if spec.type == "Date" else "date and time"
    return f"{quote(cell)} is not a {kind}; write it like {example}"


def _too_long(spec: FieldSpec, cell: str) -> str:
    shown = quote(cell)  # a long value is cut, and its length said, already
    length = "" if shown.endswith(" characters)") else f" ({len(cell):,} characters)"
    return f"{shown}{length} is too long; shorten it to at most {spec.max_length} characters"


COLUMN_MESSAGES: dict[str, Describe] = {
    "missing_unique_field": lambda s, c: (
        f"empty; LeadSquared finds the row's lead by its {s.target} — fill it in"
    ),
    "mandatory_missing": lambda s, c: "empty; this column is required — fill it in",
    "invalid_email": lambda s, c: (
        f"{quote(c)} is not an email address; write it like name@example.com"
    ),
    "invalid_phone": _phone,
    "bad_number": lambda s, c: (
        f"{quote(c)} is not a number; write it like {_number_example(s)}"
        + (" (digits only)" if (s.decimal, s.thousands) == (".", ",") else "")
    ),
    "bad_boolean": lambda s, c: f"{quote(c)} is not yes or no; write true or false (yes/no work)",
    "bad_datetime": _date,
    "not_an_option": lambda s, c: (
        f"{quote(c)} is not one of the options; choose {or_list(s.options or ())}"
    ),
    "too_long": _too_long,
    "nul_character": lambda s, c: (
        f"{quote(c)} holds a NUL character (invisible; it comes from a damaged export) — "
        "retype the value"
    ),
}
# Problems of the cell itself, whatever its column's type: no other problem of that cell
# is reported (an error value is not also "not a number").
CELL_CODES = ("cell_error", "nul_character")


def _distinct(failures: pd.DataFrame) -> pd.DataFrame:
    """One failure per cell for column checks, one per row for cross-field rules.

    pandera repeats a failed frame-wide (rule) check once per column of the rules frame,
    so those are kept once per row; a column check names its own column, so two columns
    failing the same check on one row are two problems.
    """
    codes = failures["check"].astype(str).str.partition("#")[0]
    per_column = codes.isin([*COLUMN_MESSAGES, *CELL_CODES])
    return pd.concat(
        [
            failures[per_column].drop_duplicates(["check", "column", "index"]),
            failures[~per_column].drop_duplicates(["check", "index"]),
        ]
    )


def _without_shadowed(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """Drops the other problems of a cell that shows an error value or a NUL character."""
    broken = {(p.row, p.column) for p in problems if p.code in CELL_CODES}
    if not broken:
        return problems
    return tuple(p for p in problems if p.code in CELL_CODES or (p.row, p.column) not in broken)


class Describer:
    """Builds the Problems of one chunk from its failure cases."""

    def __init__(self, mapping: Mapping, sheet: str, letters: dict[str, str]) -> None:
        self.mapping = mapping
        self.sheet = sheet
        self.letters = letters  # header -> column letter, for naming a cell
        self.order = {spec.target: n for n, spec in enumerate(mapping.fields)}

    def problems(
        self, failures: pd.DataFrame, raw: pd.DataFrame, values: pd.DataFrame, rules: pd.DataFrame
    ) -> tuple[Problem, ...]:
        if failures.empty:
            return ()
        found: list[tuple[int, int, Problem]] = []
        for (check, column), group in _distinct(failures).groupby(["check", "column"], sort=False):
            rows = group["index"].astype(int).tolist()
            code, _, number = str(check).partition("#")
            if code in COLUMN_MESSAGES or code == "cell_error":
                made = self._column(code, str(column), rows, raw, values)
            else:
                made = self._rule(code, int(number or 0), rows, rules)
            found += [(p.row, self.order.get(p.field or "", len(self.order)), p) for p in made]
        found.sort(key=lambda item: (item[0], item[1]))
        return _without_shadowed(tuple(p for _, _, p in found))

    def _column(
        self, code: str, key: str, rows: list[int], raw: pd.DataFrame, values: pd.DataFrame
    ) -> Iterator[Problem]:
        spec = self.mapping.field_for(key)
        if spec is None or spec.column is None:
            raise RuntimeError(f"validation bug: check {code} on unknown column {key}")
        source = values if code == "too_long" else raw
        cells = source.loc[rows, key if code == "too_long" else spec.column]
        for row, cell in zip(rows, cells.fillna("").astype(str).str.strip(), strict=True):
            yield self._problem(row, spec, code, self._describe(code, spec, row, cell))

    def _describe(self, code: str, spec: FieldSpec, row: int, cell: str) -> str:
        if code != "cell_error":
            return COLUMN_MESSAGES[code](spec, cell)
        letter = self.letters.get(spec.column or "")
        where = f"cell {letter}{row} of {quote(self.sheet)}" if letter else "the cell"
        return (
            f"{where} shows the Excel error {cell} instead of a value (its formula failed or "
            "the export lost it) — fix the formula or type the value"
        )

    def _rule(
        self, code: str, number: int, rows: list[int], rules: pd.DataFrame
    ) -> Iterator[Problem]:
        frame = rules.loc[rows]
        if code == "duplicate_in_file":
            for row, earlier in zip(rows, frame[EARLIER_ROW].tolist(), strict=True):
                yield Problem(self.sheet, row, None, None, code, self._duplicate(row, earlier))
        elif code == "comment_required":
            yield from self._comment(rows, frame)
        elif code in ("child_without_parent", "dependent_dropdown_mismatch"):
            yield from self._dependent(code, self.mapping.dependent_dropdowns[number], rows, frame)
        else:
            raise RuntimeError(f"validation bug: unexpected pandera failure {code!r}")

    def _duplicate(self, row: int, earlier: int) -> str:
        keys = (self.mapping.search_key, *self.mapping.duplicate_key)
        labels = or_list([self._label(k) for k in keys]).replace(" or ", " and ")
        return (
            f"Row {row}: same {labels} as row {earlier}, so it would be the same opportunity "
            "twice — delete one of the two rows or change one of these columns"
        )

    def _comment(self, rows: list[int], frame: pd.DataFrame) -> Iterator[Problem]:
        spec = self._spec(COMMENT_FIELD)
        status_label = self._label(STATUS_FIELD)
        for row, status in zip(rows, frame[STATUS_FIELD].tolist(), strict=True):
            text = (
                f"empty while {status_label} is {quote(status)}; this account needs a comment "
                "whenever a status is given — fill it in"
            )
            yield self._problem(row, spec, "comment_required", text)

    def _dependent(
        self, code: str, rule: DependentRule, rows: list[int], frame: pd.DataFrame
    ) -> Iterator[Problem]:
        parent, child = self._spec(rule.parent), self._spec(rule.child)
        pairs = zip(rows, frame[rule.parent].tolist(), frame[rule.child].tolist(), strict=True)
        for row, up, down in pairs:
            if code == "child_without_parent":
                text = (
                    f"empty while {child.label} is {quote(down)}; fill in {parent.label} "
                    f"or empty {child.label}"
                )
                yield self._problem(row, parent, code, text)
            else:
                allowed = rule.allowed(up)
                fix = f"choose {or_list(allowed)}" if allowed else f"empty {child.label}"
                text = f"{quote(down)} is not a {child.label} of {parent.label} {quote(up)}; {fix}"
                yield self._problem(row, child, code, text)

    def _problem(self, row: int, spec: FieldSpec, code: str, text: str) -> Problem:
        message = f"Row {row}, column '{spec.label}': {text}"
        return Problem(self.sheet, row, spec.column, spec.target, code, message)

    def _spec(self, key: str) -> FieldSpec:
        spec = self.mapping.field_for(key)
        # A constant (no column) still needs a name in the message: its schema name.
        return spec or FieldSpec(column=None, target=key, place="opportunity", type="String")

    def _label(self, key: str) -> str:
        return self._spec(key).label
