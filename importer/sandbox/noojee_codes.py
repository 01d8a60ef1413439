"""Noojee Contact's reply codes: ``{"code": N, "message": "…"}``, and the HTTP status each
travels with. Messages are the documented tokens, spelling mistakes included
(``INVALID_DISPOSTION``); only a 103 the sandbox raises for bad input adds ``: <detail>``,
so a client cannot learn from a message which lead of a batch was refused."""

from __future__ import annotations

from typing import Any

OK = 0
LEAD_NOT_FOUND = 101
NO_PHONE_FIELDS = 102
EXCEPTION = 103
DNC = 104
DUPLICATE = 105
INVALID_DISPOSITION = 106
DISPOSITION_NOT_SET = 107
NO_CHANGE_ON_INSERT = 108
TOO_MANY_CONCURRENT = 109
CONFLICT = 110
INVALID_TIMEZONE = 111
DUPLICATE_EXTERNAL_ID = 112

MESSAGES = {
    OK: "OK",
    LEAD_NOT_FOUND: "COULDNT_FIND_THE_LEAD",
    NO_PHONE_FIELDS: "NO_PHONE_FIELDS",
    EXCEPTION: "EXCEPTION",
    DNC: "DNC",
    DUPLICATE: "DUPLICATE",
    INVALID_DISPOSITION: "INVALID_DISPOSTION",
    DISPOSITION_NOT_SET: "DISPOSTION_ISNT_SET_AND_NOCHANGE_SPECIFIED",
    NO_CHANGE_ON_INSERT: "IMPORT_BUT_NOCHANGE_SPECIFIED",
    TOO_MANY_CONCURRENT: "TIMEOUT_TOO_MANY_CONCURRENT_REQUESTS",
    CONFLICT: "LEAD_NOT_UPDATED_DUE_TO_CONFLICT",
    INVALID_TIMEZONE: "INVALID_TIMEZONE_SPECIFIED",
    DUPLICATE_EXTERNAL_ID: "DUPLICATE_EXTERNAL_ID",
}

# Not a Noojee code (it documents none for a bad key): the HTTP status, so that no
# documented code is reused for it.
UNAUTHORISED = 401
UNAUTHORISED_BODY = {"code": UNAUTHORISED, "message": "UNAUTHORISED: apiKey missing or not valid"}


def http_status(code: int) -> int:
    """0 -> 200; 103 -> 500 (the later documentation's "a server error occurred");
    every other code -> 400."""
    if code == OK:
        return 200
    return 500 if code == EXCEPTION else 400


def body(code: int, detail: str = "") -> dict[str, Any]:
    message = MESSAGES[code]
    return {"code": code, "message": f"{message}: {detail}" if detail else message}


class NoojeeRefusal(Exception):
    """Ends a whole request with one code (bad query string or body, 109)."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(detail or MESSAGES[code])
        self.code = code
        self.detail = detail
