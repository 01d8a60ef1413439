"""Which of the input's columns a sheet shows: its copies of our own columns left out, and,
in a file wider than Excel allows, the columns the mapping does not read left out last."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnPlan:
    positions: tuple[int, ...]  # the input's columns shown, by position, in the input's order
    names: tuple[str, ...]
    dropped: tuple[str, ...]  # unmapped columns left out because the sheet had no room


def plan_columns(
    headers: Sequence[str],
    *,
    skip: Collection[str],
    room: int | None,
    mapped: Collection[str],
) -> ColumnPlan:
    """The columns of ``headers`` not in ``skip``; at most ``room`` of them, making room by
    leaving out unmapped columns from the right (the mapping's columns always stay)."""
    kept = [i for i, name in enumerate(headers) if name not in skip]
    dropped: list[int] = []
    if room is not None and len(kept) > room:
        unmapped = [i for i in reversed(kept) if headers[i] not in mapped]
        gone = set(unmapped[: len(kept) - room])
        # Only a mapping of more than `room` columns could need the cut; never break on it.
        shown = [i for i in kept if i not in gone][:room]
        on_sheet = set(shown)
        dropped = [i for i in kept if i not in on_sheet]
        kept = shown
    return ColumnPlan(
        positions=tuple(kept),
        names=tuple(headers[i] for i in kept),
        dropped=tuple(headers[i] for i in dropped),
    )


def dropped_note(plan: ColumnPlan, sheet: str, room: int) -> str | None:
    """What the Summary says about columns left out of ``sheet``, if any were."""
    if not plan.dropped:
        return None
    first = ", ".join(f"'{name}'" for name in plan.dropped[:3])
    more = f" and {len(plan.dropped) - 3:,} more" if len(plan.dropped) > 3 else ""
    return (
        f"The file is wider than the {room:,} columns the {sheet} sheet has room for: "
        f"{len(plan.dropped):,} columns the mapping does not use were left out ({first}{more})"
    )
