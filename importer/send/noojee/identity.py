"""What makes two rows the same Noojee lead, and the ledger's key of a send.

A lead of a campaign is known by its ``njExternalLeadId`` when it has one (Noojee refuses a
second insert with it: 112), else by its phone numbers (a second insert with one of them:
105). Rows of a file naming the same lead are refused by the dry run; the ledger keys each
send by the lead and, for an update, by the values it sets, so a finished insert is never
sent again while a new update of the same lead is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from importer.mapping.noojee import EXTERNAL_ID
from importer.model import DialerLead
from importer.send.identity import canonical

_NOT_DIGITS = re.compile(r"\D")


def lead_identity(campaign_id: int, external_id: str, phones: Iterable[str]) -> str:
    """``campaign 7, njExternalLeadId HZ-DL-1001`` or ``campaign 7, phones 91980...``.
    External ids compare exactly (``012`` is not ``12``); phones by their digits."""
    if external_id.strip():
        return f"campaign {campaign_id}, {EXTERNAL_ID} {external_id.strip()}"
    digits = sorted({_NOT_DIGITS.sub("", phone) for phone in phones} - {""})
    return f"campaign {campaign_id}, phones {' '.join(digits)}"


def dialer_key(host: str, lead: DialerLead) -> str:
    """The ledger's key of ``lead`` sent to the Noojee server at ``host``."""
    parts = ["noojee", host.casefold(), lead.identity]
    if lead.update:
        parts += ["update", *sorted(f"{name}={canonical(value)}" for name, value in lead.fields)]
    else:
        parts.append("insert")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
