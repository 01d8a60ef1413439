"""The online half of ``lsq-import mapping-from-account``: read the account's metadata once
(three GET calls, paced like every other call) and write the draft without clobbering a file.

The pure half is :mod:`importer.mapping.draft.plan` (decisions) and
:mod:`importer.mapping.draft.yaml_writer` (text).
"""

from __future__ import annotations

import os
from pathlib import Path

from importer.errors import AuthError, ConfigError, RetriesExhausted, RunRefused, UsageError
from importer.mapping.draft.plan import DraftPlan, plan_draft
from importer.mapping.draft.yaml_writer import render
from importer.send.preflight import not_reached
from importer.send.ratelimit import RateLimiter
from importer.send.transport import LsqClient
from importer.settings import DEFAULT_RATE, Settings

OpportunityType = tuple[str, str]  # (event code, name)


def account_client(settings: Settings) -> LsqClient:
    return LsqClient(settings, RateLimiter(DEFAULT_RATE), pool_size=2)


def opportunity_types(client: LsqClient) -> tuple[OpportunityType, ...]:
    """The account's opportunity types as (event code, name), in the account's order. The
    first call: refused keys or an unreachable host mean nothing was done (exit 2)."""
    try:
        found = client.opportunity_types()
    except (AuthError, RunRefused) as exc:
        raise ConfigError(str(exc)) from None
    except RetriesExhausted as exc:
        raise not_reached(client.settings.host, "LSQ_HOST", exc) from None
    return tuple(
        (str(item.get("EventCode", "")).strip(), str(item.get("Name") or "").strip())
        for item in found
        if str(item.get("EventCode", "")).strip()
    )


def listing(types: tuple[OpportunityType, ...]) -> str:
    """One line per type: its event code, then its name."""
    width = max((len(code) for code, _ in types), default=0)
    return "\n".join(f"{code.ljust(width)}  {name}" for code, name in types)


def fetch_plan(client: LsqClient, event_code: int, search_by: str) -> DraftPlan:
    """The draft for ``event_code``; UsageError (exit 2) naming the account's codes when the
    account has no such type."""
    types = dict(opportunity_types(client))
    if str(event_code) not in types:
        codes = ", ".join(f"{code} ({name})" for code, name in types.items()) or "none"
        raise UsageError(
            f"The account has no opportunity type with the event code {event_code}; "
            f"its codes: {codes}."
        )
    metadata = client.opportunity_type_metadata(event_code)
    # The type list's code and name are the ones the admin just chose from.
    metadata = {**metadata, "EventCode": event_code, "Name": types[str(event_code)]}
    return plan_draft(metadata, client.leads_metadata(), search_by)


def check_out(out: Path, force: bool) -> None:
    """Refuse, before anything is fetched, to replace an existing file without ``force``."""
    if out.exists() and not force:
        raise UsageError(
            f"{out} already exists: choose another --out, or add --force to replace it."
        )
    if out.is_dir():
        raise UsageError(f"{out} is a folder: give --out a file name, e.g. {out / 'draft.yaml'}.")


def write_draft(plan: DraftPlan, out: Path, force: bool) -> None:
    """Write the draft to ``out``: created exclusively, or replaced whole with ``force`` (a
    reader never sees half a file)."""
    check_out(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render(plan).encode("utf-8")
    if not force:
        try:
            with out.open("xb") as fh:
                fh.write(text)
        except FileExistsError:  # appeared while the metadata was being read
            check_out(out, force)
        return
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(text)
    os.replace(partial, out)
