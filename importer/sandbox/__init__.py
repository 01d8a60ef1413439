"""A local LeadSquared-compatible API server for rehearsals and tests (`lsq-import sandbox`).

Layers, each a module: ``options`` (settings and their text formats) · ``account`` (the
account YAML) · ``state`` (leads and opportunities in SQLite) · ``rules`` (what the account
refuses) · ``endpoints_*`` (one module per family of endpoints) · ``ratelimit`` · ``faults`` ·
``stats`` · ``app`` (routing, auth, limits, faults; no HTTP) · ``server`` (HTTP) · ``cli`` ·
``testing`` (the pytest plugin and ``running_sandbox``) · ``noojee_*`` (Noojee Contact's
lead API, served on the same host with its own key: see ``noojee_app``).

Where LeadSquared documents nothing, the sandbox chooses (change it in one place):

* a failed Bulk item carries ``ExceptionType``/``ExceptionMessage`` (and
  ``ConflictedOpportunityId`` for ``MXDuplicateEntryException``); a missing lead is
  ``MXLeadNotFoundException``, a wrong value ``MXInvalidValueException``, a dependent
  dropdown error ``MXDependentDropdownException`` (see ``replies``);
* Capture answers a rule breach (mandatory field, comment, dropdown pair) with HTTP 200 and
  ``Status`` 1 without touching the lead; a value of the wrong kind gives seed 000's
  ``Status`` 0 with ``RelatedProspectId`` null (lead saved, opportunity not linked); a
  duplicate gives ``Status`` 0, ``IsUnique`` false and ``ConflictedOpportunityId``;
* ``GetOpportunitiesOfLead`` and ``GetOpportunitiesByUniqueLeadField`` reply
  ``{"RecordCount", "List": [{ProspectOpportunityId, RelatedProspectId,
  OpportunityEventCode, CreatedOn, OpportunityNote, OwnerEmail, Fields: {SchemaName:
  value}}]}``; the second takes ``{"SearchBy", "SearchByValue", "OpportunityEventCode"}``
  and adds ``RelatedProspectId`` (see ``endpoints_read``);
* the async API is served on the same host and needs ``x-api-key`` besides the keys; a
  queued request is processed when any request arrives after ``async_delay`` seconds.
"""

from importer.sandbox.options import SandboxOptions

__all__ = ["SandboxOptions"]
