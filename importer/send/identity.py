"""What makes two rows "the same opportunity", and how values compare as LeadSquared stores
them. Identity lives in what is sent, never in where the output goes: the ledger keys every
row by :func:`idempotency_key`, and reconciliation matches the server's opportunities on the
same fields with the same :func:`canonical` comparison.

The identity of a row is its account (host), event code, SearchBy field, the canonical
search value, and the values of the mapping's ``duplicate_key`` fields — or of every field
the row sends to the opportunity (constants included) when there is no duplicate key.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation

from importer.mapping.model import LEAD_PREFIX, META_TARGETS
from importer.model import OpportunityRow
from importer.send.payloads import SendSettings

# LeadSquared stores a Date as "yyyy-mm-dd 00:00:00" and answers look-ups that way.
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?$")
# A phone as LeadSquared writes it (+91-9876543210) or as a sheet holds it: digits with
# separators, at least 7 digits, nothing else.
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


def canonical(value: str) -> str:
    """``value`` as a comparable form: trimmed and case-folded text; a date with or
    without a midnight time as the date; a date-time to the minute or second as
    ``yyyy-mm-dd hh:mm:ss``; a number by its value (``50000.00`` = ``50000``); a phone by
    its digits (``+91-98765 43210`` = ``919876543210``)."""
    text = value.strip()
    date = _MIDNIGHT.match(text)
    if date:
        return date.group(1)
    moment = _DATETIME.match(text)
    if moment:
        return f"{moment.group(1)} {moment.group(2)}:{moment.group(3) or '00'}"
    if _NUMBER.match(text):
        return _number(text)
    if _PHONE.match(text) and any(c in text for c in "+-() "):
        return re.sub(r"\D", "", text)
    return text.casefold()


def _number(text: str) -> str:
    try:
        number = Decimal(text).normalize()
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return text
    # normalize() writes 50000 as 5E+4; the plain form compares as people read it.
    return format(number, "f")


def identity_names(settings: SendSettings) -> tuple[str, ...] | None:
    """The target keys that identify the opportunity, or None for "every sent field"."""
    return settings.duplicate_key or None


def identity_values(row: OpportunityRow, settings: SendSettings) -> tuple[tuple[str, str], ...]:
    """(case-folded target key, value) of each identifying field of ``row``, sorted by key;
    an identifying field the row leaves empty counts with the value ""."""
    sent = _sent_values(row)
    names = identity_names(settings)
    if names is None:
        pairs = [(k, v) for k, v in sent.items() if not k.startswith(LEAD_PREFIX)]
    else:
        pairs = [(name.casefold(), sent.get(name.casefold(), "")) for name in names]
    return tuple(sorted(pairs))


def _sent_values(row: OpportunityRow) -> dict[str, str]:
    """Every value the row sends, by case-folded target key (``lead.x`` for the lead)."""
    values = {name.casefold(): value for name, value in row.fields}
    values.update((LEAD_PREFIX + name.casefold(), value) for name, value in row.lead)
    meta = zip(META_TARGETS, (row.note, row.when, row.owner_email), strict=True)
    values.update((name.casefold(), value) for name, value in meta if value is not None)
    return values


def idempotency_key(host: str, row: OpportunityRow, settings: SendSettings) -> str:
    """The ledger's key of ``row``: equal for every row that would be the same opportunity
    of the same lead in the same account, whatever file, sheet or row it comes from."""
    parts = [
        host.casefold(),
        str(settings.event_code),
        settings.search_by.casefold(),
        canonical(row.search_value),
        *(f"{name}={canonical(value)}" for name, value in identity_values(row, settings)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
