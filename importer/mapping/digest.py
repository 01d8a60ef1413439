"""A mapping's identity is its meaning: the digest covers what shapes the payloads and the
checks (targets, columns, rules, constants, request flags), not the file's bytes, so a
comment, a blank line or a reordering of the file changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from importer.mapping.model import FieldSpec, Mapping


def semantic_digest(mapping: Mapping) -> str:
    meaning = {
        "target": mapping.target,
        "search_by": mapping.search_by,
        "event_code": mapping.event_code,
        "flags": [
            mapping.update_empty_fields,
            mapping.overwrite_fields,
            mapping.do_not_change_owner,
            mapping.do_not_post_duplicate_activity,
        ],
        "timezone": mapping.timezone,
        "comments_on_status_change": mapping.comments_on_status_change,
        "duplicate_key": sorted(mapping.duplicate_key),
        "dependent_dropdowns": sorted(
            [rule.parent, rule.child, sorted((k, sorted(v)) for k, v in rule.options.items())]
            for rule in mapping.dependent_dropdowns
        ),
        "constants": sorted(mapping.constants),
        "fields": sorted((_field(spec) for spec in mapping.fields), key=lambda f: f["target"]),
    }
    text = json.dumps(meaning, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _field(spec: FieldSpec) -> dict[str, Any]:
    data = asdict(spec)
    if (spec.decimal, spec.thousands) == (".", ","):
        # Number marks came later: left at their defaults, a mapping keeps its digest.
        del data["decimal"], data["thousands"]
    data["target"] = spec.key
    data["values"] = sorted(spec.values)
    return data
