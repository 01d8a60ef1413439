"""Mapping files: which spreadsheet column goes to which LeadSquared field, and how it is
cleaned and checked. See the commented ``mappings/opportunities.yaml`` for the format."""

from importer.mapping.fit import open_for_mapping
from importer.mapping.loader import check_headers, load_mapping, missing_columns
from importer.mapping.model import LEAD_PREFIX, DependentRule, FieldSpec, Mapping

__all__ = [
    "LEAD_PREFIX",
    "DependentRule",
    "FieldSpec",
    "Mapping",
    "check_headers",
    "load_mapping",
    "missing_columns",
    "open_for_mapping",
]
