"""Typed, path-aware access to one mapping of a mapping file.

Every error names the file, the dotted key path and, for typos, the closest valid word, so
the admin can fix the file without reading code: ``mappings/x.yaml: columns.Stauts.type
(line 80): 'Dropdwon' is not a type — did you mean 'Dropdown'?``
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from importer.errors import MappingError
from importer.mapping.yamltext import YamlMap
from importer.wording import quoted

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` — did you mean 'X'?`` for the closest choice, or nothing when none is close."""
    pool = list(choices)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return f" — did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f" — did you mean {quoted(close[0])}?" if close else ""


class Section:
    """One YAML mapping at ``where`` (e.g. ``columns.Status``) of the file ``path``."""

    def __init__(self, path: Path, where: str, data: Any, known: Iterable[str] | None) -> None:
        self.path = path
        self.where = where
        if not isinstance(data, YamlMap):
            self.fail(f"expected a set of 'key: value' lines, got {_kind(data)}")
        self.data: YamlMap = data
        if known is not None:
            self._refuse_unknown(tuple(known))

    def _refuse_unknown(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                self.fail(f"unknown key {quoted(key)}{did_you_mean(key, known)}", key)

    def at(self, key: str | None) -> str:
        """The dotted path of ``key`` inside this section, with its line number."""
        path = ".".join(p for p in (self.where, key) if p)
        line = self.data.lines.get(key, self.data.line) if key else self.data.line
        return f"{path} (line {line})" if path else f"line {line}"

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        where = self.at(key) if hasattr(self, "data") else self.where
        raise MappingError(f"{self.path}: {where}: {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, required: bool = False) -> Any:
        if key not in self.data and required:
            self.fail(f"the required key {quoted(key)} is missing")
        return self.data.get(key)

    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.raw(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(f"expected a single value, got {_kind(value)}", key)
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.text(key)
        if value is None or value == "":
            return default
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        self.fail(f"expected true or false, got {quoted(value)}", key)

    def whole(self, key: str, required: bool = False, minimum: int = 1) -> int | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        if not value.strip().isdigit() or int(value) < minimum:
            self.fail(f"expected a whole number of at least {minimum}, got {quoted(value)}", key)
        return int(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key, default) or default
        for choice in choices:
            if choice.lower() == value.lower():
                return choice
        listed = ", ".join(choices)
        self.fail(f"{quoted(value)} is not one of {listed}{did_you_mean(value, choices)}", key)

    def timezone(self, key: str, default: str) -> str:
        """An IANA time zone name (``Asia/Kolkata``), checked against the system's list."""
        name = self.text(key, default) or default
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(name, zoneinfo.available_timezones())
            self.fail(f"'{name}' is not a time zone (e.g. Asia/Kolkata, UTC){hint}", key)
        return name

    def texts(self, key: str) -> tuple[str, ...] | None:
        """A list of single values (``[a, b]``); None when the key is absent."""
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]  # a lone value is a list of one
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"expected a list of values like [A, B], got {_kind(value)}", key)
        return tuple(value)

    def sub(self, key: str, known: Iterable[str] | None, required: bool = False) -> Section:
        """The mapping under ``key`` (an empty one when absent and not required)."""
        value = self.raw(key, required)
        if value is None or value == "":
            value = YamlMap(self.data.lines.get(key, self.data.line))
        return Section(self.path, ".".join(p for p in (self.where, key) if p), value, known)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    return f"{quoted(value)}"
