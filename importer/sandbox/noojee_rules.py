"""What Noojee answers for one lead of an insert or an update, and what it would write.

The checks run in a fixed order and the first that fails gives the lead's code:

insert: 103 a field not in the template · 108 a ``<NO CHANGE>`` value · 102 no phone
number · 103 a bad ``njCallBackDate`` (not ``yyyy/MM/dd HH:mm``) or ``njPriority`` (not a
whole number 0–100) · 111 ``njContactHours`` not one of the server's Contact Hours · 106
``njDisposition`` not in the campaign's list · 104 a number on the DNC list · 112 the
``njExternalLeadId`` already in the campaign · 105 a number already in the campaign (112 and
105 only with ``allowDuplicates`` false) · 0.

update: 103 a field not in the template · 101 no ``njExternalLeadId``, or none in the
campaign · 102 no phone field given (a number or ``<NO CHANGE>``) · 103 date, priority ·
111 Contact Hours · 106 a disposition not in the list · 107 the disposition absent or
``<NO CHANGE>`` while the lead has none · 104 a new number on the DNC list · 105 a new
number held by another lead (``allowDuplicates`` false) · 110 a person is editing the lead ·
0: the given fields replace the lead's, ``<NO CHANGE>`` (any letter case) keeps one.

Empty system fields count as absent. Every lead holding the external id is updated (there
can be several only if they were inserted with ``allowDuplicates=true``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from importer.sandbox import noojee_codes as codes
from importer.sandbox.noojee_account import (
    CALL_BACK,
    CONTACT_HOURS,
    DISPOSITION,
    EXTERNAL_ID,
    PRIORITY,
    Campaign,
    NoojeeAccount,
    phone_digits,
)
from importer.sandbox.noojee_state import NjLead, NoojeeStore

NO_CHANGE = "<NO CHANGE>"
_CALL_BACK = re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}$")
_PRIORITY = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class LeadContext:
    """What every lead of one request is checked against."""

    account: NoojeeAccount
    campaign: Campaign
    store: NoojeeStore
    allow_duplicates: bool
    # update only: True when a person is editing this lead (decides a 110)
    conflicted: Callable[[NjLead], bool]


@dataclass(frozen=True)
class Write:
    """One lead to insert (``lead`` None) or update, with its stored fields."""

    fields: Mapping[str, str]
    disposition: str | None
    lead: NjLead | None = None
    duplicate: bool = False  # inserted although its number or external id was there


@dataclass(frozen=True)
class Verdict:
    code: int
    detail: str = ""  # said after the message (103 only)
    writes: tuple[Write, ...] = ()


def is_no_change(value: str) -> bool:
    return value.strip().casefold() == NO_CHANGE.casefold()


def check_insert(ctx: LeadContext, lead: Mapping[str, str]) -> Verdict:
    refusal = _unknown_field(ctx.campaign, lead)
    if refusal:
        return refusal
    if any(is_no_change(v) for v in lead.values()):
        return Verdict(codes.NO_CHANGE_ON_INSERT)
    phones = _phones(ctx.campaign, lead)
    if not phones:
        return Verdict(codes.NO_PHONE_FIELDS)
    refusal = _bad_system_value(ctx, lead)
    disposition = _given(lead, DISPOSITION)
    if refusal is None and disposition and disposition not in ctx.campaign.dispositions:
        refusal = Verdict(codes.INVALID_DISPOSITION)
    if refusal is None and phones & ctx.account.dnc:
        refusal = Verdict(codes.DNC)
    if refusal:
        return refusal
    external_id = _given(lead, EXTERNAL_ID)
    same_id = bool(external_id and ctx.store.by_external_id(ctx.campaign.id, external_id))
    same_phone = bool(ctx.store.phone_owners(ctx.campaign.id, phones))
    if same_id and not ctx.allow_duplicates:
        return Verdict(codes.DUPLICATE_EXTERNAL_ID)
    if same_phone and not ctx.allow_duplicates:
        return Verdict(codes.DUPLICATE)
    fields = {k: v for k, v in lead.items() if k != DISPOSITION}
    write = Write(fields, disposition or None, duplicate=same_id or same_phone)
    return Verdict(codes.OK, writes=(write,))


def check_update(ctx: LeadContext, lead: Mapping[str, str]) -> Verdict:
    refusal = _unknown_field(ctx.campaign, lead)
    if refusal:
        return refusal
    external_id = _given(lead, EXTERNAL_ID)
    targets = ctx.store.by_external_id(ctx.campaign.id, external_id) if external_id else []
    if not targets:
        return Verdict(codes.LEAD_NOT_FOUND)
    if not any(lead.get(name, "").strip() for name in ctx.campaign.phone_fields):
        return Verdict(codes.NO_PHONE_FIELDS)
    refusal = _bad_system_value(ctx, lead) or _bad_disposition(ctx, lead, targets)
    if refusal:
        return refusal
    changes = {k: v for k, v in lead.items() if not is_no_change(v) and k != DISPOSITION}
    new_phones = _phones(ctx.campaign, changes)
    if new_phones & ctx.account.dnc:
        return Verdict(codes.DNC)
    others = ctx.store.phone_owners(ctx.campaign.id, new_phones) - {t.seq for t in targets}
    if others and not ctx.allow_duplicates:
        return Verdict(codes.DUPLICATE)
    if any(ctx.conflicted(target) for target in targets):
        return Verdict(codes.CONFLICT)
    disposition = _given(lead, DISPOSITION)
    writes = tuple(
        Write(
            {**target.fields, **changes},
            target.disposition if is_no_change(disposition) or not disposition else disposition,
            target,
        )
        for target in targets
    )
    return Verdict(codes.OK, writes=writes)


def _unknown_field(campaign: Campaign, lead: Mapping[str, str]) -> Verdict | None:
    unknown = [name for name in lead if not campaign.knows(name)]
    if not unknown:
        return None
    detail = f"field {unknown[0]!r} is not in template {campaign.template_id}"
    return Verdict(codes.EXCEPTION, detail)


def _given(lead: Mapping[str, str], name: str) -> str:
    return lead.get(name, "").strip()


def _phones(campaign: Campaign, lead: Mapping[str, str]) -> frozenset[str]:
    numbers = (phone_digits(lead.get(name, "")) for name in campaign.phone_fields)
    return frozenset(n for n in numbers if n)


def _bad_system_value(ctx: LeadContext, lead: Mapping[str, str]) -> Verdict | None:
    """103 for a call-back date or priority Noojee cannot parse; 111 for Contact Hours."""
    call_back = _given(lead, CALL_BACK)
    if call_back and not is_no_change(call_back) and not _is_call_back(call_back):
        return Verdict(codes.EXCEPTION, f"{CALL_BACK} {call_back!r} is not yyyy/MM/dd HH:mm")
    priority = _given(lead, PRIORITY)
    if priority and not is_no_change(priority) and not _is_priority(priority):
        return Verdict(codes.EXCEPTION, f"{PRIORITY} {priority!r} is not a number from 0 to 100")
    hours = _given(lead, CONTACT_HOURS)
    if hours and not is_no_change(hours) and hours not in ctx.account.contact_hours:
        return Verdict(codes.INVALID_TIMEZONE)
    return None


def _is_call_back(text: str) -> bool:
    if not _CALL_BACK.match(text):
        return False
    try:
        datetime.strptime(text, "%Y/%m/%d %H:%M")
    except ValueError:
        return False
    return True


def _is_priority(text: str) -> bool:
    return bool(_PRIORITY.match(text)) and int(text) <= 100


def _bad_disposition(
    ctx: LeadContext, lead: Mapping[str, str], targets: list[NjLead]
) -> Verdict | None:
    disposition = _given(lead, DISPOSITION)
    if disposition and not is_no_change(disposition):
        known = disposition in ctx.campaign.dispositions
        return None if known else Verdict(codes.INVALID_DISPOSITION)
    if any(target.disposition is None for target in targets):
        return Verdict(codes.DISPOSITION_NOT_SET)
    return None
