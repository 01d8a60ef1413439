"""Delete an Opportunity: ``GET /v2/OpportunityManagement.svc/Delete?Id=<opportunity id>``.

LeadSquared documents the success reply and that the opportunity's type must allow deletion
("Allow Delete", ``CanDelete`` in the type's metadata; ``can_delete`` in the account YAML).
The refusals are the sandbox's choice, both HTTP 500 ``MXInvalidInputException`` like
LeadSquared's other application errors (not 404, which means a wrong path):

* an id no opportunity has — whether it never existed or was deleted already (LeadSquared
  forgets a deleted opportunity; the sandbox's store remembers, for its tests);
* a type that does not allow deletion (nothing is deleted).

Delete is a write: the write faults apply (``applied500`` deletes, then answers 500/502).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from importer.sandbox.replies import invalid_input
from importer.sandbox.request import Request

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox


def delete_opportunity(app: Sandbox, req: Request) -> dict[str, Any]:
    oid = (req.param("Id") or "").strip()
    if not oid:
        raise invalid_input("Id is required: pass the opportunity's id as ?Id=.")
    with app.store.lock:
        opp = app.store.opportunity(oid)
        if opp is None:
            raise invalid_input(f"Opportunity with Id '{oid}' does not exist.")
        otype = app.account.opportunity_type(opp.event_code)
        if otype is None or not otype.can_delete:
            name = otype.name if otype else str(opp.event_code)
            raise invalid_input(
                f"Opportunities of type '{name}' cannot be deleted: "
                "'Allow Delete' is off in the opportunity type's configuration."
            )
        app.store.delete_opportunity(opp)
    return {"Status": "Success", "Message": {"IsSuccessful": True}}
