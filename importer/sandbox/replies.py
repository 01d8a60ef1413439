"""How the sandbox says no: LeadSquared's error body, and the two ways a refusal travels —
as a value for one item of a request, or as an exception that ends the whole request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ExceptionType names that LeadSquared documents (or integrations have seen).
INVALID_INPUT = "MXInvalidInputException"
INVALID_FIELDS = "MXInvalidActivityFieldsException"
DUPLICATE = "MXDuplicateEntryException"
# Guesses: LeadSquared documents no type for these; the importer only keeps the raw text.
LEAD_NOT_FOUND = "MXLeadNotFoundException"
INVALID_VALUE = "MXInvalidValueException"
DEPENDENT_DROPDOWN = "MXDependentDropdownException"
SANDBOX_INTERNAL = "MXSandboxInternalException"


@dataclass(frozen=True)
class Rejection:
    """Why LeadSquared refuses one opportunity (or one request)."""

    exception_type: str
    message: str


class ApiError(Exception):
    """Ends the whole request with an HTTP error and LeadSquared's error body."""

    def __init__(self, rejection: Rejection, status: int = 500) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection
        self.status = status


def invalid_input(message: str) -> ApiError:
    return ApiError(Rejection(INVALID_INPUT, message))


def error_body(rejection: Rejection) -> dict[str, Any]:
    return {
        "Status": "Error",
        "ExceptionType": rejection.exception_type,
        "ExceptionMessage": rejection.message,
    }
