"""Noojee's reply codes -> one :class:`RowOutcome` per lead, with a message an admin can act
on (the table is in the README, "Noojee Contact").

    0         created (insert) / updated (update)
    101       failed        external_id_not_found  no lead has the njExternalLeadId
    102       invalid       no_phone_number        the dry run should have caught it
    104       failed        do_not_call            a number is on the Do-Not-Call list
    105       duplicate     duplicate_number       the campaign already has one of its numbers
    112       duplicate     duplicate_external_id  the campaign already has its external id
    106       invalid       unknown_disposition    the dry run should have caught it
    107       failed        disposition_required   the lead has no disposition yet: give one
    108       invalid       no_change_on_insert    the dry run should have caught it
    110       needs_review  edit_conflict          a person was editing the lead; never resent
    111       failed        unknown_contact_hours  njContactHours is not one of the server's
    other     failed        rejected               the code and Noojee's words, verbatim

103 (the server failed, perhaps half-way) and 109 (busy: wait and retry) never reach here:
the client turns them into :class:`~importer.errors.Ambiguous` and a retry.

``how`` says how the lead was sent: ``first``; ``resend`` (its first send's answer was
lost, this one went with ``allowDuplicates=false``, so 105/112 prove the first landed);
``after_refusal`` (it was in a bigger request Noojee refused because of one lead, and a
server that saves the leads before that one may have saved it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from importer.mapping.noojee import DISPOSITION, EXTERNAL_ID, NoojeeSection
from importer.model import DialerLead, Outcome, Problem, RowOutcome

OK = 0
LEAD_NOT_FOUND = 101
NO_PHONE_FIELDS = 102
EXCEPTION = 103
DNC = 104
DUPLICATE = 105
INVALID_DISPOSITION = 106
DISPOSITION_NOT_SET = 107
NO_CHANGE_ON_INSERT = 108
TOO_MANY_CONCURRENT = 109
CONFLICT = 110
INVALID_TIMEZONE = 111
DUPLICATE_EXTERNAL_ID = 112
DUPLICATES = (DUPLICATE, DUPLICATE_EXTERNAL_ID)

How = Literal["first", "resend", "after_refusal"]


@dataclass(frozen=True, slots=True)
class Said:
    """One ``{"code": N, "message": "..."}`` (the message already scrubbed of the key)."""

    code: int
    message: str

    @property
    def words(self) -> str:
        return f"code {self.code} {self.message}".strip()


@dataclass(frozen=True, slots=True)
class Context:
    """What messages name: the campaign, and the sheet column of each field."""

    section: NoojeeSection
    columns: tuple[tuple[str, str], ...]  # field name -> spreadsheet column

    def column(self, field: str) -> str | None:
        return dict(self.columns).get(field)

    def label(self, field: str) -> str:
        column = self.column(field)
        return f"column '{column}'" if column else field

    def phones(self) -> str:
        named = [self.label(f) for f in self.section.phone_fields if self.column(f)]
        return " or ".join(named) or "a phone field"


def lead_outcome(lead: DialerLead, said: Said, context: Context, how: How = "first") -> RowOutcome:
    """The outcome of ``lead`` from the code Noojee gave it."""
    if said.code == OK:
        return RowOutcome(lead.sheet, lead.row, Outcome.UPDATED if lead.update else Outcome.CREATED)
    if said.code in DUPLICATES:
        return _duplicate(lead, said, context, how)
    rule = _RULES.get(said.code)
    if rule is None:
        text = f"Noojee refused it with {said.words}. Fix the row and import it again."
        return _outcome(lead, Outcome.FAILED, "rejected", text, said, None, context)
    outcome, code, field, explain = rule
    return _outcome(lead, outcome, code, explain(lead, context), said, field, context)


def unclear_outcome(lead: DialerLead, context: Context) -> RowOutcome:
    """A send with no clear answer (a 103, a dropped connection, a stopped run) that may not
    be sent again: an update (a repeat could overwrite what changed since) or an insert that
    duplicates are allowed for (a repeat could save it twice). Noojee has no look-up, so a
    person checks."""
    unclear = "no clear answer came back from Noojee (a 103, a dropped connection or a stop)"
    if lead.update:
        text = (
            f"{unclear}: the update may or may not have been applied, and sending it again "
            f"could overwrite changes made since. Check the lead ({lead.identity}) in Noojee "
            "and run the row again only if it was not updated."
        )
    else:
        text = (
            f"{unclear}: the lead may or may not have been created, and with "
            "allow_duplicates: true a resend could create it twice. Look for it "
            f"({lead.identity}) and run the row again only if it is not there."
        )
    return _outcome(lead, Outcome.NEEDS_REVIEW, "answer_lost", text, None, None, context)


def _duplicate(lead: DialerLead, said: Said, context: Context, how: How) -> RowOutcome:
    by_id = said.code == DUPLICATE_EXTERNAL_ID
    what = f"{EXTERNAL_ID} '{lead.external_id}'" if by_id else "one of this lead's phone numbers"
    campaign = f"campaign {context.section.campaign_id}"
    # With an external id, Noojee answers 112 before 105 [guess, the sandbox's order]: a 105
    # then says the id is not there, so the lead itself was not saved.
    landed = how == "resend" and (by_id or not lead.external_id)
    if landed:
        text = (
            f"created: the first send's answer was lost; sent again with allowDuplicates=false, "
            f"Noojee answered {said.message} ({what} is already in {campaign}), which shows "
            "the first send saved it. Nothing was created twice."
        )
        return _outcome(lead, Outcome.CREATED, "created", text, said, None, context)
    if how == "after_refusal" and context.section.allow_duplicates:
        text = (
            f"{campaign} already has a lead with {what} ({said.message}). It was in a request "
            "Noojee refused because of another row, and a server that saves the rows before "
            "that one may have saved it; with allow_duplicates: true it was not sent blindly "
            "again. Check the campaign and add it by hand if it is missing."
        )
        return _outcome(lead, Outcome.NEEDS_REVIEW, "maybe_saved", text, said, None, context)
    text = f"{campaign} already has a lead with {what} ({said.message}); nothing new was created."
    if how == "after_refusal":
        text += (
            " (It was in a request Noojee refused because of another row: if this Noojee saves"
            " the rows before a refused one, that request saved it.)"
        )
    field = EXTERNAL_ID if by_id else None
    code = "duplicate_external_id" if by_id else "duplicate_number"
    return _outcome(lead, Outcome.DUPLICATE, code, text, said, field, context)


def _outcome(
    lead: DialerLead,
    outcome: Outcome,
    code: str,
    text: str,
    said: Said | None,
    field: str | None,
    context: Context,
) -> RowOutcome:
    """The row's outcome with its message; every outcome but created carries a problem
    (the stable ``code``, the column to fix, Noojee's own words as its detail)."""
    message = f"Row {lead.row}: {text}"
    if outcome is Outcome.CREATED:
        return RowOutcome(lead.sheet, lead.row, outcome, message=message)
    column = context.column(field) if field else None
    detail = said.words if said else ""
    problem = Problem(lead.sheet, lead.row, column, field, code, message, detail)
    return RowOutcome(lead.sheet, lead.row, outcome, message=message, problems=(problem,))


def _lead_not_found(lead: DialerLead, c: Context) -> str:
    return (
        f"no lead in campaign {c.section.campaign_id} has {EXTERNAL_ID} '{lead.external_id}' "
        f"(Noojee: COULDNT_FIND_THE_LEAD). Check {c.label(EXTERNAL_ID)}, or load the row "
        "with mode: insert."
    )


def _no_phone(lead: DialerLead, c: Context) -> str:
    return (
        "Noojee refused it for having no phone number (NO_PHONE_FIELDS) - the dry run should "
        f"have caught this, please report it. Fill in {c.phones()}."
    )


def _dnc(lead: DialerLead, c: Context) -> str:
    return (
        "a phone number is on the Do-Not-Call list (Noojee: DNC), so Noojee will not take the "
        f"lead; it is never retried. Remove the row, or give another number in {c.phones()}."
    )


def _bad_disposition(lead: DialerLead, c: Context) -> str:
    value = dict(lead.fields).get(DISPOSITION, "")
    return (
        f"'{value}' is not a disposition of campaign {c.section.campaign_id} (Noojee: "
        "INVALID_DISPOSTION) - the dry run should have caught this: list the campaign's "
        f"dispositions under noojee.dispositions in the mapping, then fix {c.label(DISPOSITION)}."
    )


def _no_disposition(lead: DialerLead, c: Context) -> str:
    return (
        f"lead '{lead.external_id}' has no disposition yet, so {DISPOSITION} cannot be left "
        "empty or '<NO CHANGE>' (Noojee: DISPOSTION_ISNT_SET_AND_NOCHANGE_SPECIFIED). Give "
        f"a disposition in {c.label(DISPOSITION)} and run the row again."
    )


def _no_change(lead: DialerLead, c: Context) -> str:
    return (
        "a cell says '<NO CHANGE>', which only an update may (Noojee: "
        "IMPORT_BUT_NOCHANGE_SPECIFIED) - the dry run should have caught this, please report "
        "it. Write the value or empty the cell."
    )


def _conflict(lead: DialerLead, c: Context) -> str:
    return (
        f"not updated: a person was editing lead '{lead.external_id}' in Noojee when this "
        "update arrived (LEAD_NOT_UPDATED_DUE_TO_CONFLICT). It was not sent again: a retry "
        "could overwrite their work. Check the lead in Noojee and update it there, or run "
        "this row again once they are done."
    )


def _contact_hours(lead: DialerLead, c: Context) -> str:
    value = dict(lead.fields).get("njContactHours", "")
    return (
        f"njContactHours '{value}' is not one of the Contact Hours set up on the Noojee "
        "server (INVALID_TIMEZONE_SPECIFIED); use one of them (noojee.contact_hours in the "
        "mapping, or the column mapped to njContactHours)."
    )


Explain = Callable[[DialerLead, Context], str]
_RULES: dict[int, tuple[Outcome, str, str | None, Explain]] = {
    LEAD_NOT_FOUND: (Outcome.FAILED, "external_id_not_found", EXTERNAL_ID, _lead_not_found),
    NO_PHONE_FIELDS: (Outcome.INVALID, "no_phone_number", None, _no_phone),
    DNC: (Outcome.FAILED, "do_not_call", None, _dnc),
    INVALID_DISPOSITION: (Outcome.INVALID, "unknown_disposition", DISPOSITION, _bad_disposition),
    DISPOSITION_NOT_SET: (Outcome.FAILED, "disposition_required", DISPOSITION, _no_disposition),
    NO_CHANGE_ON_INSERT: (Outcome.INVALID, "no_change_on_insert", None, _no_change),
    CONFLICT: (Outcome.NEEDS_REVIEW, "edit_conflict", None, _conflict),
    INVALID_TIMEZONE: (Outcome.FAILED, "unknown_contact_hours", "njContactHours", _contact_hours),
}
