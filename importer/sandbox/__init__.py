"""A local LeadSquared-compatible API server for rehearsals and tests (`lsq-import sandbox`).

Layers, each a module: ``options`` (settings and their text formats) · ``account`` (the
account YAML) · ``state`` (leads and opportunities in SQLite) · ``rules`` (what the account
refuses) · ``server_form`` (values as LeadSquared stores them) · ``endpoints_*`` and
``lookups`` (one module per family of endpoints) · ``ratelimit`` · ``faults`` (the fault
table) · ``stats`` · ``app`` (routing, auth, limits, faults; no HTTP) · ``server`` (HTTP) ·
``cli`` · ``testing`` (the pytest plugin and ``running_sandbox``) · ``noojee_*`` (Noojee Contact's
lead API, served on the same host with its own key: see ``noojee_app``).

The sandbox must disagree with a client wherever the real server might: a fault can apply a
write and still fail (``applied500``, ``applied-reset``, ``ambiguous``, ``badjson``), and the
options ``strict_lookups``, ``server_form_values`` and ``lead_not_found_wording`` take away
guesses a client could lean on. Where LeadSquared documents nothing, the sandbox chooses
(change it in one place):

* a failed Bulk item carries ``ExceptionType``/``ExceptionMessage`` (and
  ``ConflictedOpportunityId`` for ``MXDuplicateEntryException``); a wrong value is
  ``MXInvalidValueException``, a dependent dropdown error ``MXDependentDropdownException``;
  a missing lead is said in one of ``replies.LEAD_NOT_FOUND_WORDINGS`` (0, the default:
  ``MXLeadNotFoundException``; one shares ``MXInvalidInputException`` with other refusals;
  one has no ``ExceptionType`` at all);
* refusals of a whole request: a ``SearchBy`` that is not a unique lead field, more than 25
  items, a body that is not an array: HTTP 500 ``MXInvalidInputException``; a body over
  ``max_body_bytes`` (1 MiB): HTTP 413 before auth and the rate limit; a wrong path: HTTP
  404 "No such API."; malformed JSON: HTTP 400;
* Capture answers a rule breach (mandatory field, comment, dropdown pair) with HTTP 200 and
  ``Status`` 1 without touching the lead; a value of the wrong kind gives seed 000's
  ``Status`` 0 with ``RelatedProspectId`` null (lead saved, opportunity not linked); a
  duplicate gives ``Status`` 0, ``IsUnique`` false and ``ConflictedOpportunityId``;
* unique lead values match case-insensitively, phones by their digits (``98450 12345`` finds
  ``+91-9845012345``; a number without a code is taken as +91);
* the look-ups: by default (lenient) the sandbox's old bodies still work — ``{"SearchBy",
  "SearchByValue", "OpportunityEventCode"}`` answered ``{"RelatedProspectId",
  "RecordCount", "List": [{ProspectOpportunityId, RelatedProspectId, OpportunityEventCode,
  CreatedOn, OpportunityNote, OwnerEmail, Fields: {SchemaName: value}}]}`` — and the
  documented bodies get the documented answer; with ``strict_lookups`` only the documented
  bodies are taken (400 otherwise), items are flat with the id under ``OpportunityId``,
  pages hold at most 50, an unknown lead is an error (see ``lookups``);
* with ``server_form_values`` values are stored as LeadSquared stores them (dates
  ``yyyy-mm-dd 00:00:00``, numbers ``50000.00``, phones ``+91-…``, booleans ``1``/``0``;
  see ``server_form``); without it, as sent (trimmed, dropdowns in their configured
  spelling);
* Delete: an unknown or already-deleted id, and a type whose ``can_delete`` is off, are
  HTTP 500 ``MXInvalidInputException`` (``endpoints_delete``);
* the async API is served on the same host and needs ``x-api-key`` besides the keys; a
  queued request is processed when any request arrives after its delay (``async_delay``,
  with a seeded jitter); ``ERROR`` writes nothing; an unknown or expired ``RequestId`` is
  HTTP 404; ``MaxDelayInSeconds`` is the longest delay among queued requests, rounded up
  (``endpoints_async``). Status polls count in the rate window like every call.
"""

from importer.sandbox.options import SandboxOptions
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS, Wording

__all__ = ["LEAD_NOT_FOUND_WORDINGS", "SandboxOptions", "Wording"]
