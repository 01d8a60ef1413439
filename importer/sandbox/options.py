"""The sandbox's run-time settings, and the small text formats they are written in on the
command line (``25/5s``, ``800ms±300ms``, ``500:0.05,reset:0.02``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from importer.errors import ConfigError

FAULT_KINDS = ("500", "reset", "ambiguous", "surprise429", "badjson", "partial")
# The Noojee side's own faults (see noojee_faults) and batch modes (see noojee_batch).
NOOJEE_FAULT_KINDS = ("busy", "500", "applied500", "reset", "ambiguous")
NOOJEE_BATCH_MODES = ("all_or_nothing", "until_first_bad", "per_lead")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that changes how the sandbox behaves; frozen so a running server swaps
    the whole object at once (``RunningSandbox.reconfigure``) instead of half-updating."""

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
    async_delay: float = 0.2
    state: Path | None = None
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


def parse_latency(text: str | None) -> Latency:
    """``"800ms±300ms"`` (or ``+-``) -> a mean and a uniform jitter either side."""
    if not text:
        return Latency(0.0, 0.0)
    mean, _, jitter = text.replace("+-", "±").partition("±")
    return Latency(
        parse_duration(mean, "latency"), parse_duration(jitter, "latency") if jitter else 0.0
    )


def parse_faults(text: str | None, kinds: tuple[str, ...] = FAULT_KINDS) -> dict[str, float]:
    """``"500:0.05,reset:0.02"`` -> probability per write call of each fault kind."""
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
    if sum(faults.values()) > 1:
        raise ConfigError("fault probabilities add up to more than 1")
    return faults


def check_options(options: SandboxOptions) -> None:
    """Parse every text setting once so a bad value stops the start, not a request."""
    parse_rate(options.rate)
    parse_latency(options.latency)
    parse_faults(options.faults)
    if options.rate_status not in (429, 403):
        raise ConfigError("rate status must be 429 or 403")
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
