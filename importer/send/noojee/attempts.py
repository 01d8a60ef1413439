"""Noojee's worker functions for the sender's orchestrator (:class:`Workers`): a request of
several leads, and the check of a lead whose request got no clear answer.

A request refused with one code for several leads (Noojee does not say which lead, nor
whether it saved the leads before it) is split in halves, each sent again, until the
lead at fault is alone: the reference's guess - and the sandbox's default - is that such a
request saved nothing. If the server saved the leads before the bad one instead, a half
sent again cannot save them twice: with ``allow_duplicates: false`` Noojee refuses them
(105/112, reported as duplicate, saying so), with ``true`` the halves go out with
``allowDuplicates=false`` all the same and such a lead becomes needs_review.

A lead whose send had no clear answer (103, no reply, a crash) is never sent blindly: an
insert is sent again with ``allowDuplicates=false`` when the mapping does not allow
duplicates (105/112 then prove the first send landed: created); an update, or an insert
that duplicates are allowed for, becomes needs_review - Noojee has no look-up.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from importer.errors import Ambiguous
from importer.model import DialerLead, ReadyRow, RowOutcome
from importer.send.attempts import BeforeSend, Step, Task, Workers, rows_of
from importer.send.noojee.client import NoojeeClient, NoojeeReply
from importer.send.noojee.replies import (
    EXCEPTION,
    OK,
    TOO_MANY_CONCURRENT,
    Context,
    How,
    Said,
    lead_outcome,
    unclear_outcome,
)


def noojee_workers(client: NoojeeClient, context: Context) -> Workers:
    def write(task: Task, claim: BeforeSend) -> Step:
        return send_leads(client, context, task, claim)

    return Workers(
        batch=context.section.batch_size,
        kind="bulk",
        write=write,
        check=lambda task: check_leads(client, context, task),
        check_key=lambda row: row.key,  # every lead is checked alone
        now=time.time,
        activity=client.limiter.activity,
        server="Noojee",
    )


def dialer_leads(rows: Sequence[ReadyRow]) -> tuple[DialerLead, ...]:
    """``rows`` as Noojee leads."""
    return rows_of(DialerLead, rows, "Noojee")


def send_leads(
    client: NoojeeClient, context: Context, task: Task, before_send: BeforeSend | None = None
) -> Step:
    """One request of ``task``'s leads; a refusal of several is split in halves."""
    leads = dialer_leads(task.rows)
    how: How = "after_refusal" if task.refused else "first"
    # Perhaps saved already by the refused request: never allowed to be saved twice.
    guarded = task.refused and context.section.allow_duplicates and not leads[0].update
    try:
        reply = client.send(
            [dict(lead.fields) for lead in leads],
            allow_duplicates=False if guarded else None,
            before_send=before_send,
        )
    except Ambiguous as exc:
        return Step(ambiguous=leads, reason=str(exc))
    if reply.leads is not None and len(reply.leads) == len(leads):
        return _per_lead(leads, reply.leads, context, how)
    if reply.said.code == OK or len(leads) == 1:
        return Step(outcomes=tuple(lead_outcome(lead, reply.said, context, how) for lead in leads))
    half = len(leads) // 2
    return Step(
        then=(Task("bulk", leads[:half], refused=True), Task("bulk", leads[half:], refused=True))
    )


def check_leads(client: NoojeeClient, context: Context, task: Task) -> Step:
    """Leads whose send had no clear answer (see the module docstring)."""
    steps = [_check(client, context, lead) for lead in dialer_leads(task.rows)]
    return Step(
        outcomes=tuple(o for s in steps for o in s.outcomes),
        reason="; ".join(dict.fromkeys(s.reason for s in steps if s.reason)),
        unchecked=tuple(r for s in steps for r in s.unchecked),
        lookups=tuple(t for s in steps for t in s.lookups),
    )


def _check(client: NoojeeClient, context: Context, lead: DialerLead) -> Step:
    if lead.update or context.section.allow_duplicates:
        return Step(outcomes=(unclear_outcome(lead, context),))
    asked = time.time()
    try:
        reply = client.send([dict(lead.fields)], allow_duplicates=False)
    except Ambiguous as exc:
        return Step(unchecked=(lead,), reason=str(exc), lookups=(asked,))
    said = _said_to(reply, 0)
    if said.code == EXCEPTION or said.code == TOO_MANY_CONCURRENT:
        return Step(unchecked=(lead,), reason=f"Noojee answered {said.words}", lookups=(asked,))
    return Step(outcomes=(lead_outcome(lead, said, context, "resend"),), lookups=(asked,))


def _per_lead(
    leads: tuple[DialerLead, ...], said: tuple[Said, ...], context: Context, how: How
) -> Step:
    """A reply with a code per lead: each lead's own outcome; a busy lead is sent again,
    one the server failed on is unclear."""
    outcomes: list[RowOutcome] = []
    unclear: list[DialerLead] = []
    again: list[DialerLead] = []
    for lead, its in zip(leads, said, strict=True):
        if its.code == TOO_MANY_CONCURRENT:
            again.append(lead)
        elif its.code == EXCEPTION:
            unclear.append(lead)
        else:
            outcomes.append(lead_outcome(lead, its, context, how))
    reason = f"Noojee answered code {EXCEPTION} for these leads" if unclear else ""
    then = (Task("bulk", tuple(again), refused=how == "after_refusal"),) if again else ()
    return Step(tuple(outcomes), tuple(unclear), reason, then)


def _said_to(reply: NoojeeReply, index: int) -> Said:
    """What Noojee said to the ``index``-th lead of a request."""
    if reply.leads is not None and index < len(reply.leads):
        return reply.leads[index]
    return reply.said
