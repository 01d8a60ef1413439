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
UNHANDLED = "MXUnhandledException"
SANDBOX_INTERNAL = "MXSandboxInternalException"


@dataclass(frozen=True)
class Rejection:
    """Why LeadSquared refuses one opportunity (or one request). ``exception_type`` None:
    the reply carries a message and no ``ExceptionType`` at all."""

    exception_type: str | None
    message: str


@dataclass(frozen=True)
class Wording:
    """One way of saying "no lead has this value"; ``{field}`` and ``{value}`` are filled in."""

    exception_type: str | None
    template: str

    def rejection(self, field: str, value: str) -> Rejection:
        return Rejection(self.exception_type, self.template.format(field=field, value=value))


# Every wording the sandbox can use for a missing lead (option ``lead_not_found_wording``
# picks one by index). LeadSquared documents none of them, so a client must recognise "no
# such lead" by what it says, not by one guessed name: its tests iterate over this tuple.
# Note that 1 shares its type with refusals that are not about the lead at all.
LEAD_NOT_FOUND_WORDINGS: tuple[Wording, ...] = (
    Wording(LEAD_NOT_FOUND, "No lead has {field} '{value}'."),
    Wording(INVALID_INPUT, "Lead does not exist"),
    Wording("MXInvalidEntityException", "No Lead found with the given SearchByValue"),
    Wording(None, "Lead not found for {field} = {value}"),
)


def lead_not_found(wording: int, field: str, value: str) -> Rejection:
    return LEAD_NOT_FOUND_WORDINGS[wording].rejection(field, value)


class ApiError(Exception):
    """Ends the whole request with an HTTP error and LeadSquared's error body."""

    def __init__(self, rejection: Rejection, status: int = 500) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection
        self.status = status


def invalid_input(message: str, status: int = 500) -> ApiError:
    return ApiError(Rejection(INVALID_INPUT, message), status)


def exception_fields(rejection: Rejection) -> dict[str, Any]:
    """``ExceptionType`` (left out when the wording has none) and ``ExceptionMessage``."""
    fields: dict[str, Any] = {}
    if rejection.exception_type is not None:
        fields["ExceptionType"] = rejection.exception_type
    fields["ExceptionMessage"] = rejection.message
    return fields


def error_body(rejection: Rejection) -> dict[str, Any]:
    return {"Status": "Error", **exception_fields(rejection)}
