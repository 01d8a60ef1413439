"""Which text cells the workbooks write as numbers or dates: decided here, once.

The reader hands the report text: an Excel date as ``yyyy-mm-dd hh:mm:ss``, an Excel number
in full without a trailing ``.0``. A cell becomes typed only when reading it back gives the
very same text, so nothing is lost: ``044``, ``+91 98765 43210``, ``1.50``, ``-0`` and numbers
of more than 15 digits (Excel's precision) stay text, and so do dates before 1 March 1900
(Excel's calendar is wrong before then).
"""

from __future__ import annotations

import re
from datetime import datetime

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_EXCEL_DIGITS = 15
_FIRST_DATE = datetime(1900, 3, 1)

Typed = str | float | datetime


def typed_value(text: str) -> Typed:
    """``text`` as a number or a date-time when that is lossless, else ``text`` itself."""
    first = text[:1]
    if not (first.isdigit() or first == "-"):
        return text  # the common case, decided on one character
    if _NUMBER.fullmatch(text):
        return _number(text)
    if _DATETIME.fullmatch(text):
        return _datetime(text)
    return text


def _number(text: str) -> Typed:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    if len(digits) > _EXCEL_DIGITS:
        return text
    value = float(text)
    if value == 0 and text != "0":
        return text  # "-0" and "0.0"-like text would read back as "0"
    return value


def _datetime(text: str) -> Typed:
    try:
        value = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return text  # "2027-02-30 00:00:00" is text, not a date
    return value if value >= _FIRST_DATE else text
