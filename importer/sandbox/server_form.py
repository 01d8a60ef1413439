"""Values as LeadSquared stores them, which is not how a client sent them (option
``server_form_values``). A client that compares what it sent with what a look-up returns
must compare meanings, not text; this module is the sandbox's side of that disagreement.

The forms ([seen] for dates and phones, the rest chosen here; change them in one place):

* Date      ``yyyy-mm-dd 00:00:00`` (a time sent with it is dropped)
* DateTime  ``yyyy-mm-dd hh:mm:ss``
* Number    two decimals, half up: ``50000`` -> ``50000.00``, ``1e5`` -> ``100000.00``
* Boolean   ``1`` or ``0`` (whatever word was sent: true/yes/1, false/no/0)
* Phone     ``+CC-NUMBER``: the last ten digits are the number, digits before them the
            country code, 91 when there are none (``98450 12345`` -> ``+91-9845012345``)
* Dropdown  the configured spelling (``mba`` -> ``MBA``; done for every value, see ``rules``)
* anything else: trimmed

A value that does not parse as its type is kept as sent (Capture still saves such a row's
lead, seed 000). Unique lead values are matched in these forms whether the option is on or
not (``unique_key``): a phone is found by its digits, whatever punctuation it was sent with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from importer.sandbox.account import FieldDef
from importer.sandbox.rules import TRUE_WORDS, parse_when

DEFAULT_COUNTRY_CODE = "91"
_NUMBER_DIGITS = 10
_CENTS = Decimal("0.01")
_WIDE = Context(prec=400)  # room for any finite float's digits and two decimals


def stored_value(field: FieldDef, value: str) -> str:
    text = value.strip()
    if not text:
        return text
    if field.type == "Date":
        when = parse_when(text)
        return f"{when:%Y-%m-%d} 00:00:00" if when else text
    if field.type == "DateTime":
        return datetime_form(text)
    if field.type == "Number":
        return _two_decimals(text)
    if field.type == "Boolean":
        return "1" if text.casefold() in TRUE_WORDS else "0"
    if field.type == "Phone":
        return phone_form(text)
    return text


def stored_values(
    field_of: Callable[[str], FieldDef | None], values: Mapping[str, str]
) -> dict[str, str]:
    """Every value of a record in stored form; names without a definition are kept as sent."""
    out = {}
    for name, value in values.items():
        field = field_of(name)
        out[name] = stored_value(field, value) if field else value
    return out


def datetime_form(text: str) -> str:
    when = parse_when(text.strip())
    return f"{when:%Y-%m-%d %H:%M:%S}" if when else text


def _two_decimals(text: str) -> str:
    try:
        number = Decimal(text)
        if number.is_finite():
            return str(number.quantize(_CENTS, rounding=ROUND_HALF_UP, context=_WIDE))
    except InvalidOperation:  # not a number, or too large to write out
        pass
    return text


def phone_form(value: str) -> str:
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < _NUMBER_DIGITS:
        return text  # not a number the sandbox can read; kept as sent
    code = digits[:-_NUMBER_DIGITS].lstrip("0") or DEFAULT_COUNTRY_CODE
    return f"+{code}-{digits[-_NUMBER_DIGITS:]}"


def unique_key(field: FieldDef | None, value: str) -> str:
    """How two values of a unique lead field compare: phones by their stored form, the
    rest case-insensitively, surrounding spaces aside."""
    if field is not None and field.type == "Phone":
        return phone_form(value).casefold()
    return value.strip().casefold()
