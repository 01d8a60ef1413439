"""``lsq-import mapping-from-account``: draft a mapping file from the account's metadata.

metadata     the account's field metadata, read leniently into AccountField values
plan         the decisions (pure): which columns, which rules, what was left out and why
yaml_writer  the plan laid out as a commented mapping file
fetch        the online half: read the metadata once, write without clobbering
"""

from importer.mapping.draft.fetch import (
    account_client,
    check_out,
    fetch_plan,
    listing,
    opportunity_types,
    write_draft,
)

__all__ = [
    "account_client",
    "check_out",
    "fetch_plan",
    "listing",
    "opportunity_types",
    "write_draft",
]
