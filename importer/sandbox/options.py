"""The sandbox's run-time settings, and the small text formats they are written in on the
command line (``25/5s``, ``800ms±300ms``, ``500:0.05,reset:0.02``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from importer.errors import ConfigError
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS

# Fault kinds by the calls they are drawn for (see the table in ``faults``). Each group has
# its own seeded stream, so adding status faults never changes which writes fail.
WRITE_FAULTS = (
    "500",
    "reset",
    "ambiguous",
    "surprise429",
    "badjson",
    "partial",
    "applied500",
    "applied-reset",
)
STATUS_FAULTS = ("status500", "status_reset")
JOB_FAULTS = ("async_error",)
FaultGroup = Literal["write", "status", "job"]
FAULT_GROUPS: dict[FaultGroup, tuple[str, ...]] = {
    "write": WRITE_FAULTS,
    "status": STATUS_FAULTS,
    "job": JOB_FAULTS,
}
FAULT_KINDS = WRITE_FAULTS + STATUS_FAULTS + JOB_FAULTS

# A body larger than this is refused with HTTP 413 before it reaches an endpoint. LeadSquared
# documents no size; 25 Bulk items of long text stay far below it. [guess]
MAX_BODY_BYTES = 1024 * 1024
# The Noojee side's own faults (see noojee_faults) and batch modes (see noojee_batch).
NOOJEE_FAULT_KINDS = ("busy", "500", "applied500", "reset", "ambiguous")
NOOJEE_BATCH_MODES = ("all_or_nothing", "until_first_bad", "per_lead")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that changes how the sandbox behaves; frozen so a running server swaps
    the whole object at once (``RunningSandbox.reconfigure``) instead of half-updating.

    The options marked *strict* make the sandbox disagree with guesses a client might make;
    they are off by default only until the importer handles them."""

    rate: str = "25/5s"
    rate_status: int = 429
    latency: str | None = None
    faults: str | None = None
    seed: int = 0
    shuffle: bool = False
    account: Path | None = None
    ambiguous_delay: float = 3.0
    bulk_all_or_nothing: bool = False
    # None keeps the account's own setting; False lets duplicates through so a test can
    # count them (stats "duplicates_created").
    duplicate_detection: bool | None = None
    # Seconds, or text such as "2s±1s" (a seeded uniform jitter either side).
    async_delay: float | str = 0.2
    # Finished async requests are forgotten this many seconds after they finish (their
    # status is then a 404); None keeps them for the sandbox's lifetime.
    async_ttl: float | None = None
    state: Path | None = None
    # strict: the look-ups accept only LeadSquared's documented bodies, answer in its flat
    # item shape and page for real (see ``lookups``).
    strict_lookups: bool = True
    # strict: values are stored (and read back) the way LeadSquared stores them: dates with
    # a time, numbers with two decimals, phones as +91-…, booleans as 1/0 (``server_form``).
    server_form_values: bool = True
    # Which of ``replies.LEAD_NOT_FOUND_WORDINGS`` says "no such lead"; 0 is the first.
    lead_not_found_wording: int = 0
    max_body_bytes: int = MAX_BODY_BYTES
    # The Noojee Contact endpoints served beside LeadSquared (importer/sandbox/noojee_*).
    noojee_account: Path | None = None  # default sample_data/noojee_account.yaml
    noojee_batch: str = "all_or_nothing"  # one of NOOJEE_BATCH_MODES
    noojee_max_concurrent: int = 5  # requests processed at once; more wait in a queue
    noojee_queue_s: float = 60.0  # a request queued longer than this answers 109
    noojee_faults: str | None = None  # e.g. "busy:0.1,applied500:0.05" (per request)
    noojee_conflict: float = 0.0  # probability that an updated lead answers 110


@dataclass(frozen=True)
class Rate:
    calls: int
    window_s: float


@dataclass(frozen=True)
class Latency:
    mean_s: float
    jitter_s: float


def parse_duration(text: str, what: str = "duration") -> float:
    """``"300ms"`` -> 0.3, ``"5s"`` / ``"5"`` -> 5.0 (seconds)."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"{what} {text!r} is not a duration like 300ms or 5s")
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def parse_rate(text: str) -> Rate:
    """``"25/5s"`` -> 25 calls per 5-second window."""
    calls, sep, window = text.partition("/")
    if not sep or not calls.strip().isdigit() or int(calls) < 1:
        raise ConfigError(f"rate {text!r} must look like 25/5s (calls per window)")
    window_s = parse_duration(window, "rate window")
    if window_s <= 0:
        raise ConfigError(f"rate {text!r} needs a window longer than zero")
    return Rate(int(calls), window_s)


def parse_latency(text: str | None, what: str = "latency") -> Latency:
    """``"800ms±300ms"`` (or ``+-``) -> a mean and a uniform jitter either side."""
    if not text:
        return Latency(0.0, 0.0)
    mean, _, jitter = text.replace("+-", "±").partition("±")
    return Latency(parse_duration(mean, what), parse_duration(jitter, what) if jitter else 0.0)


def parse_async_delay(value: float | str) -> Latency:
    """The queue delay: a number of seconds (as the library always took it) or text with
    an optional jitter, ``"2s±1s"``."""
    if isinstance(value, str):
        return parse_latency(value, "async delay") if value.strip() else Latency(0.0, 0.0)
    if value < 0:
        raise ConfigError(f"async delay {value} must not be negative")
    return Latency(float(value), 0.0)


def parse_faults(text: str | None, kinds: tuple[str, ...] = FAULT_KINDS) -> dict[str, float]:
    """``"500:0.05,reset:0.02"`` -> probability of each fault kind, per call of its group
    (``kinds``: the LeadSquared side's by default, or the Noojee side's)."""
    faults: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        kind, _, prob = part.strip().partition(":")
        if kind not in kinds:
            raise ConfigError(f"unknown fault {kind!r}; known: {', '.join(kinds)}")
        try:
            faults[kind] = float(prob)
        except ValueError:
            raise ConfigError(f"fault {kind!r} needs a probability, e.g. {kind}:0.05") from None
        if not 0 <= faults[kind] <= 1:
            raise ConfigError(f"fault {kind!r} probability must be between 0 and 1")
    groups = FAULT_GROUPS.items() if kinds is FAULT_KINDS else [("noojee", kinds)]
    for group, members in groups:
        if sum(p for k, p in faults.items() if k in members) > 1:
            raise ConfigError(f"{group} fault probabilities add up to more than 1")
    return faults


def faults_of(group: FaultGroup, faults: dict[str, float]) -> dict[str, float]:
    """The kinds of one group, in the order they were written."""
    return {k: p for k, p in faults.items() if k in FAULT_GROUPS[group]}


def check_options(options: SandboxOptions) -> None:
    """Parse every text setting once so a bad value stops the start, not a request."""
    parse_rate(options.rate)
    parse_latency(options.latency)
    parse_faults(options.faults)
    parse_async_delay(options.async_delay)
    if options.rate_status not in (429, 403):
        raise ConfigError("rate status must be 429 or 403")
    if not 0 <= options.lead_not_found_wording < len(LEAD_NOT_FOUND_WORDINGS):
        raise ConfigError(f"lead-not-found wording must be 0 to {len(LEAD_NOT_FOUND_WORDINGS) - 1}")
    if options.async_ttl is not None and options.async_ttl < 0:
        raise ConfigError("async TTL must not be negative")
    if options.max_body_bytes < 1:
        raise ConfigError("the largest body must be at least 1 byte")
    check_noojee_options(options)


def check_noojee_options(options: SandboxOptions) -> None:
    parse_faults(options.noojee_faults, NOOJEE_FAULT_KINDS)
    if options.noojee_batch not in NOOJEE_BATCH_MODES:
        known = ", ".join(NOOJEE_BATCH_MODES)
        raise ConfigError(f"noojee batch mode {options.noojee_batch!r} is not one of: {known}")
    if options.noojee_max_concurrent < 1:
        raise ConfigError("noojee max concurrent requests must be 1 or more")
    if options.noojee_queue_s < 0:
        raise ConfigError("noojee queue time must not be negative")
    if not 0 <= options.noojee_conflict <= 1:
        raise ConfigError("noojee conflict probability must be between 0 and 1")
