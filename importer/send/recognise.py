"""What LeadSquared's refusals say, read in one place.

LeadSquared documents few exception names, and different endpoints word the same thing
differently, so nothing here trusts one guessed name: each recogniser reads the exception
type *and* the message. The tests run every wording the sandbox can produce
(``importer.sandbox.replies.LEAD_NOT_FOUND_WORDINGS``) through them.
"""

from __future__ import annotations

import re

# "No lead has EmailAddress 'x'", "Lead does not exist", "No Lead found with the given
# SearchByValue", "Lead not found for Phone = ...", "MXLeadNotFoundException".
_LEAD_MISSING = re.compile(
    r"\bno\s+lead\b|\blead\b[^.]{0,40}\b(not\s+(found|exist)|does\s*n[o']t\s+exist)"
    r"|leadnotfound|lead\s+not\s+found",
    re.I,
)
# "Opportunity with Id 'x' does not exist.", "No opportunity found", "Opportunity not found",
# "MXOpportunityNotFoundException": a delete of an opportunity that is gone.
_OPPORTUNITY_MISSING = re.compile(
    r"\bno\s+opportunit(y|ies)\b[^.]{0,40}\b(found|exists?)\b"
    r"|\bopportunit(y|ies)\b[^.]{0,60}\b(not\s+(found|exist)|does\s*n[o']t\s+exist"
    r"|no\s+longer\s+exists?)|opportunitynotfound",
    re.I,
)
# "Opportunities of type 'X' cannot be deleted: 'Allow Delete' is off ...": the type's
# configuration forbids deleting any of them.
_DELETE_NOT_ALLOWED = re.compile(
    r"cannot\s+be\s+deleted|can\s*not\s+delete|allow\s*delete|delete\s+(is\s+)?not\s+"
    r"(allowed|permitted|enabled)|not\s+(allowed|permitted)\s+to\s+(be\s+)?delete",
    re.I,
)
# Refusals no single row causes: a SearchBy that is not a unique lead field, an event code
# the account does not have, a body the server will not take at all.
_WHOLE_REQUEST = re.compile(
    r"\bsearch\s*by\b|OpportunityEventCode|opportunity\s+type|event\s*code"
    r"|request\s+body\s+must|body\s+needs|at\s+most\s+\d+\s+opportunit",
    re.I,
)
WHOLE_REQUEST_STATUSES = frozenset({404, 405, 413, 414, 415})


def is_lead_missing(exception_type: str | None, message: str | None) -> bool:
    """LeadSquared says the row's lead does not exist (so capture can create it)."""
    text = f"{exception_type or ''} {message or ''}"
    return bool(_LEAD_MISSING.search(text))


def is_whole_request_refusal(status: int, exception_type: str | None, message: str) -> bool:
    """The refusal is about the request itself (its path, its SearchBy, its event code, its
    size), so every other request would be refused alike: stop instead of failing rows."""
    if status in WHOLE_REQUEST_STATUSES:
        return True
    if is_lead_missing(exception_type, message):
        return False
    return bool(_WHOLE_REQUEST.search(message))


def is_opportunity_missing(exception_type: str | None, message: str | None) -> bool:
    """LeadSquared says the opportunity does not exist (deleted already, or never was)."""
    text = f"{exception_type or ''} {message or ''}"
    return bool(_OPPORTUNITY_MISSING.search(text)) and not is_delete_not_allowed(
        exception_type, message
    )


def is_delete_not_allowed(exception_type: str | None, message: str | None) -> bool:
    """LeadSquared refuses to delete because the opportunity type does not allow it."""
    return bool(_DELETE_NOT_ALLOWED.search(f"{exception_type or ''} {message or ''}"))
