"""How messages quote the user's text and list things, capped so one line stays one line.

A message echoes what the admin wrote — a cell, a header, a mapping value — and sometimes
lists many of them (missing columns, options, sheets). A CSV passed as the mapping or a
20,000-column file must not turn one line into hundreds of kilobytes, so every echo goes
through :func:`quoted` and every list through :func:`listing`: the first few are named,
the rest counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

QUOTE_LIMIT = 60  # characters of one echoed value
LIST_LIMIT = 5  # items named in a list before "and N more"
# Control characters would break the line or hide in it: shown as escapes (\n, \x00).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def visible(text: str) -> str:
    """``text`` with control characters written as escapes, e.g. ``Pu\\x00ne``."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def quoted(text: object, limit: int = QUOTE_LIMIT) -> str:
    """``'text'``, cut to ``limit`` characters with the full length said when longer."""
    shown = visible(str(text))
    if len(shown) <= limit:
        return f"'{shown}'"
    return f"'{shown[: limit - 1]}…' ({len(str(text)):,} characters)"


def listing(
    items: Iterable[object], *, last: str = "and", quote: bool = True, limit: int = LIST_LIMIT
) -> str:
    """``'a', 'b' and 'c'``; past ``limit`` items: ``'a', 'b', … and 37 more``."""
    words = [quoted(item) if quote else visible(str(item)) for item in items]
    if len(words) > limit:
        return f"{', '.join(words[:limit])} {last} {len(words) - limit:,} more"
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
