"""Which lead a Capture request is about: its LeadDetails, the unique field named by the
``SearchBy`` attribute (default EmailAddress), or a ProspectID the caller chose
(``__UseUserDefinedGuid__``, as in the seed example)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from importer.sandbox.account import Account
from importer.sandbox.replies import invalid_input
from importer.sandbox.state import Lead, Store

_PROSPECT_ID = "prospectid"


@dataclass(frozen=True)
class LeadQuery:
    attrs: dict[str, str]  # lead fields to save, by schema name
    search: str  # the unique field's schema name, or "ProspectId"
    value: str
    user_guid: bool = False  # create the lead with the given ProspectID

    def find(self, store: Store) -> Lead | None:
        if self.search == "ProspectId":
            return store.lead_by_id(self.value)
        return store.find_lead(self.search, self.value)

    def save(self, store: Store, found: Lead | None) -> Lead:
        pid = self.value if self.search == "ProspectId" and self.user_guid else None
        lead, _ = store.save_lead(found, self.attrs, pid)
        return lead


def lead_query(account: Account, details: Any) -> LeadQuery:
    """Parse LeadDetails; a request that cannot name its lead is refused as a whole."""
    if not isinstance(details, list) or not all(isinstance(d, dict) for d in details):
        raise invalid_input("LeadDetails must be a list of {Attribute, Value} objects.")
    pairs = {str(d.get("Attribute")): str(d.get("Value") or "").strip() for d in details}
    search_name = pairs.pop("SearchBy", "") or "EmailAddress"
    user_guid = pairs.pop("__UseUserDefinedGuid__", "").casefold() == "true"
    given_id = next((v for k, v in pairs.items() if k.casefold() == _PROSPECT_ID), "")
    pairs = {k: v for k, v in pairs.items() if k.casefold() != _PROSPECT_ID}
    known = {name: account.lead_field(name) for name in pairs}
    unknown = [name for name, found in known.items() if found is None]
    if unknown:
        raise invalid_input(f"Attribute(s) does not exist - {','.join(unknown)}")
    attrs = {f.schema: pairs[name] for name, f in known.items() if f and pairs[name]}
    if search_name.casefold() == _PROSPECT_ID and given_id:
        return LeadQuery(attrs, "ProspectId", given_id, user_guid)
    search = account.lead_field(search_name)
    if search is None or not search.unique or not attrs.get(search.schema):
        raise invalid_input(
            "LeadDetails must contain at least one unique field, the one named by SearchBy."
        )
    return LeadQuery(attrs, search.schema, attrs[search.schema])
