"""How the report shows each outcome: one table (which rows go into the fix file is the
outcome's own property, :attr:`importer.model.Outcome.to_fix`).

Keyed by the outcome's value, so an outcome added to :class:`importer.model.Outcome` later
either finds its line here already or gets :data:`DEFAULT_STYLE` (shown, never resent
through the fix file) instead of breaking the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from importer.model import Outcome


@dataclass(frozen=True)
class OutcomeStyle:
    label: str  # how the Summary names it
    tint: str | None  # the row's fill on the Rows sheet; None leaves it white
    colour: str  # its bar on the Summary's chart
    attention: bool  # a person must look at these rows (kept on a big file's Rows sheet)
    code: str  # the problem code of such a row that carries only a message


_RED, _PURPLE, _AMBER = "#FFC7CE", "#E4DFEC", "#FFEB9C"
_GREY, _BLUE = "#E7E6E6", "#DDEBF7"

_STYLES: dict[str, OutcomeStyle] = {
    "valid": OutcomeStyle("Valid", None, "#70AD47", False, "valid"),
    "created": OutcomeStyle("Created", None, "#70AD47", False, "created"),
    "invalid": OutcomeStyle("Invalid", _RED, "#C00000", True, "invalid"),
    # Purple, not red: LeadSquared's or the system's failure, kept apart from bad data.
    "failed": OutcomeStyle("Failed", _PURPLE, "#7030A0", True, "server_error"),
    "needs_review": OutcomeStyle("Needs review", _AMBER, "#FFC000", True, "needs_review"),
    "partial": OutcomeStyle("Partly done", _AMBER, "#ED7D31", True, "partial"),
    "duplicate": OutcomeStyle("Duplicate", _GREY, "#A5A5A5", False, "duplicate"),
    "pending": OutcomeStyle("Not sent yet", _BLUE, "#5B9BD5", False, "pending"),
    "already_imported": OutcomeStyle(
        "Already imported", _GREY, "#7F7F7F", False, "already_imported"
    ),
    "ambiguous": OutcomeStyle("Unclear", _AMBER, "#BF9000", True, "ambiguous"),
    "queued": OutcomeStyle("Queued", _BLUE, "#9DC3E6", False, "queued"),
    "updated": OutcomeStyle("Updated", None, "#548235", False, "updated"),
    "undone": OutcomeStyle("Undone", _GREY, "#595959", False, "undone"),
}

#: Any outcome not in the table: shown and kept in view, never put in the fix file (resending
#: a row whose state we do not know could create it twice).
DEFAULT_STYLE = OutcomeStyle("", _BLUE, "#4472C4", True, "")


def style(outcome: Outcome) -> OutcomeStyle:
    found = _STYLES.get(outcome.value)
    if found is not None:
        return found
    words = outcome.value.replace("_", " ").capitalize()
    return replace(DEFAULT_STYLE, label=words, code=outcome.value)


#: The rows a person must correct: exactly these go into the fix file (Outcome.to_fix).
FIX_OUTCOMES: frozenset[Outcome] = frozenset(o for o in Outcome if o.to_fix)

#: The rows a person must look at: a big file's Rows sheet lists only these.
ATTENTION_OUTCOMES: frozenset[Outcome] = frozenset(o for o in Outcome if style(o).attention)
