"""A request as the endpoints see it, free of the HTTP server's plumbing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from importer.sandbox.replies import ApiError, Rejection


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    headers: Mapping[str, str] = field(default_factory=dict)  # keys lower-cased
    body: bytes = b""
    partial: bool = False  # the "partial" fault was drawn for this call
    too_large: bool = False  # the body was over ``max_body_bytes`` and was not kept

    def param(self, name: str) -> str | None:
        """Query parameters match case-insensitively (``SearchBy`` = ``searchBy``)."""
        return self.query.get(name.lower())

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON is LeadSquared's 400."""
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(
                Rejection("MXInvalidInputException", "The request body is not valid JSON."), 400
            ) from None
