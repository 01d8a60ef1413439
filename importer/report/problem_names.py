"""Readable names for problem codes, for the Summary: the code stays (users filter on it),
the name says what it means to someone who never read the README."""

from __future__ import annotations

import re

_NAMES = {
    # Found by the dry run.
    "missing_unique_field": "Lead's unique field is empty",
    "invalid_email": "Email address not valid",
    "invalid_phone": "Phone number not valid",
    "comment_required": "Status comment missing",
    "dependent_dropdown_mismatch": "Value not allowed under its parent value",
    "child_without_parent": "Value given without its parent value",
    "not_an_option": "Not one of the allowed options",
    "bad_datetime": "Not a date or time",
    "bad_number": "Not a number",
    "bad_boolean": "Not yes or no",
    "too_long": "Text too long",
    "mandatory_missing": "Required value missing",
    "duplicate_in_file": "Same opportunity twice in the file",
    "cell_error": "Excel error in the cell",
    "short_row": "Row shorter than the header",
    # Told by LeadSquared, or about a row it was sent.
    "lead_not_found": "Lead not found in LeadSquared",
    "rejected_value": "Value refused by LeadSquared",
    "duplicate": "Already in LeadSquared",
    "already_imported": "Imported by an earlier run",
    "needs_review": "Lead created, opportunity not linked",
    "partial": "Saved, but a follow-up step failed",
    "server_error": "LeadSquared gave no clear answer",
    "ambiguous": "Unclear whether LeadSquared saved it",
    # LeadSquared's own exception types, as the sender keeps them today.
    "MXLeadNotFoundException": "Lead not found in LeadSquared",
    "MXDuplicateEntryException": "Already in LeadSquared",
    "unexplained": "Unexpected reply from LeadSquared",
}

_WORD_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def problem_name(code: str) -> str:
    """The name of ``code``; an unknown one spelled out in words (``SomeError`` ->
    ``Some error``, ``odd_code`` -> ``Odd code``)."""
    known = _NAMES.get(code)
    if known is not None:
        return known
    words = _WORD_BREAK.sub(" ", code).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else code
