"""One ``insertLeadFast`` / ``updateLeadFast`` request: its query string and body, and the
three ways the sandbox can treat a batch (Noojee does not document which it does):

* ``all_or_nothing`` (default; the reference's guess): the first bad lead refuses the whole
  request with its code; nothing of the request is applied.
* ``until_first_bad``: the leads before the first bad one are applied, the reply is the
  bad lead's code, it and the leads after it are not applied (a server that loops and
  stops at the first error). A client that resends the whole request after it resends
  leads that already landed.
* ``per_lead``: every lead is tried and the good ones applied; the reply adds ``"leads"``,
  one ``{"code", "message"}`` per lead in the order sent, and its own code and message
  are the first bad lead's (0 / OK when every lead passed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from importer.sandbox import noojee_codes as codes
from importer.sandbox.noojee_account import NoojeeAccount
from importer.sandbox.noojee_codes import NoojeeRefusal
from importer.sandbox.noojee_rules import LeadContext, Verdict, Write, check_insert, check_update
from importer.sandbox.noojee_state import NjLead, NoojeeStore
from importer.sandbox.request import Request

REQUIRED_PARAMS = ("fTemplateId", "fCampaignId", "fAllocationId")


@dataclass(frozen=True)
class Outcome:
    """What a request did: the reply's code and body, and what it wrote."""

    code: int
    body: dict[str, Any]
    verdicts: tuple[Verdict, ...]  # one per lead examined, in order
    applied: tuple[Write, ...]  # committed


def parse_leads(req: Request) -> list[dict[str, str]]:
    """The body: a JSON array of flat objects; values are sent on as text."""
    try:
        data = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise NoojeeRefusal(codes.EXCEPTION, "the body is not valid JSON") from None
    if not isinstance(data, list) or not all(isinstance(lead, dict) for lead in data):
        raise NoojeeRefusal(codes.EXCEPTION, "the body must be a JSON array of lead objects")
    if not data:
        raise NoojeeRefusal(codes.EXCEPTION, "the body holds no leads")
    return [{str(k): _text(v, str(k)) for k, v in lead.items()} for lead in data]


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    kind = "an object" if isinstance(value, dict) else "an array"
    raise NoojeeRefusal(codes.EXCEPTION, f"field {name!r} must be a string, not {kind}")


def campaign_context(
    account: NoojeeAccount,
    store: NoojeeStore,
    req: Request,
    conflicted: Callable[[NjLead], bool],
) -> LeadContext:
    """The campaign the query string names; 103 when it names none."""
    ids: list[int] = []
    for name in REQUIRED_PARAMS:
        value = (req.param(name) or "").strip()
        if not value.lstrip("-").isdigit():
            raise NoojeeRefusal(codes.EXCEPTION, f"{name} is required and must be a number")
        ids.append(int(value))
    template_id, campaign_id, allocation_id = ids
    campaign = account.campaign(campaign_id, template_id, allocation_id)
    if campaign is None:
        detail = (
            f"no campaign {campaign_id} with template {template_id} and allocation {allocation_id}"
        )
        raise NoojeeRefusal(codes.EXCEPTION, detail)
    # Like Java's Boolean.parseBoolean: only "true" (any case) is true.
    allow = (req.param("allowDuplicates") or "").strip().casefold() == "true"
    return LeadContext(account, campaign, store, allow, conflicted)


def run(ctx: LeadContext, leads: Sequence[Mapping[str, str]], update: bool, mode: str) -> Outcome:
    """Check and apply the leads in order, as ``mode`` says (see the module docstring)."""
    check = check_update if update else check_insert
    verdicts: list[Verdict] = []
    applied: list[Write] = []
    with ctx.store.request() as rollback:
        for lead in leads:
            verdict = check(ctx, lead)
            verdicts.append(verdict)
            if verdict.code == codes.OK:
                _apply(ctx, verdict.writes)
                applied.extend(verdict.writes)
            elif mode != "per_lead":
                break
        first_bad = next((v for v in verdicts if v.code != codes.OK), None)
        if first_bad is not None and mode == "all_or_nothing":
            applied.clear()
            raise rollback
    return Outcome(_code(verdicts), _body(verdicts, mode), tuple(verdicts), tuple(applied))


def _apply(ctx: LeadContext, writes: tuple[Write, ...]) -> None:
    for write in writes:
        if write.lead is None:
            ctx.store.insert(ctx.campaign.id, write.fields, write.disposition)
        else:
            ctx.store.update(write.lead, write.fields, write.disposition)


def _code(verdicts: list[Verdict]) -> int:
    return next((v.code for v in verdicts if v.code != codes.OK), codes.OK)


def _body(verdicts: list[Verdict], mode: str) -> dict[str, Any]:
    first = next((v for v in verdicts if v.code != codes.OK), Verdict(codes.OK))
    reply = codes.body(first.code, first.detail)
    if mode == "per_lead":
        reply["leads"] = [codes.body(v.code, v.detail) for v in verdicts]
    return reply
