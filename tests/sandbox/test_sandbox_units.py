"""The small pieces: option formats, the sliding window, the field rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.errors import ConfigError
from importer.sandbox.account import FieldDef, load_account
from importer.sandbox.faults import Chaos
from importer.sandbox.options import (
    Latency,
    Rate,
    SandboxOptions,
    check_options,
    parse_async_delay,
    parse_duration,
    parse_faults,
    parse_latency,
    parse_rate,
)
from importer.sandbox.ratelimit import SlidingWindow
from importer.sandbox.rules import check_fields, value_fits


def test_formats() -> None:
    assert parse_rate("25/5s") == Rate(25, 5.0)
    assert parse_rate("10/500ms") == Rate(10, 0.5)
    assert parse_latency("800ms±300ms") == Latency(0.8, 0.3)
    assert parse_latency("1s+-100ms") == Latency(1.0, 0.1)
    assert parse_latency(None) == Latency(0.0, 0.0)
    assert parse_faults("500:0.05,reset:0.02") == {"500": 0.05, "reset": 0.02}


@pytest.mark.parametrize(
    "bad", ["25", "0/5s", "x/5s", "25/0s", "25/5 minutes"], ids=lambda s: repr(s)
)
def test_bad_rates(bad: str) -> None:
    with pytest.raises(ConfigError):
        parse_rate(bad)


@pytest.mark.parametrize(
    "bad",
    [
        "500",
        "500:x",
        "500:2",
        "500:0.6,reset:0.6",
        "applied500:0.5,applied-reset:0.6",
        "status500:0.6,status_reset:0.6",
        "boom:0.1",
    ],
)
def test_bad_faults(bad: str) -> None:
    with pytest.raises(ConfigError):
        parse_faults(bad)


def test_each_group_of_faults_has_its_own_total() -> None:
    spec = "500:0.6,applied500:0.4,status500:0.9,async_error:1"
    assert sum(parse_faults(spec).values()) > 1


def test_async_delay_takes_seconds_or_text() -> None:
    assert parse_async_delay(0.5) == Latency(0.5, 0.0)
    assert parse_async_delay("2s±1s") == Latency(2.0, 1.0)
    assert parse_async_delay("300ms") == Latency(0.3, 0.0)


@pytest.mark.parametrize(
    "changes",
    [
        {"async_delay": "soon"},
        {"async_delay": -1.0},
        {"async_ttl": -1.0},
        {"lead_not_found_wording": 99},
        {"lead_not_found_wording": -1},
        {"max_body_bytes": 0},
    ],
    ids=lambda c: next(iter(c)),
)
def test_bad_options_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        check_options(SandboxOptions(**changes))  # type: ignore[arg-type]


def test_queue_delays_spread_and_replay_under_a_seed() -> None:
    def delays(seed: int) -> list[float]:
        chaos = Chaos(SandboxOptions(async_delay="2s±1s", seed=seed))
        return [chaos.queue_delay() for _ in range(50)]

    first = delays(1)
    assert all(1.0 <= d <= 3.0 for d in first)
    assert len(set(first)) > 1
    assert delays(1) == first
    assert delays(2) != first


@given(st.integers(min_value=0, max_value=10**6))
def test_milliseconds_are_thousandths(ms: int) -> None:
    assert parse_duration(f"{ms}ms") == pytest.approx(ms / 1000)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(
    st.integers(min_value=1, max_value=6),
    st.lists(st.floats(min_value=0, max_value=3, allow_nan=False), max_size=60),
)
def test_window_never_admits_more_than_the_limit(limit: int, gaps: list[float]) -> None:
    clock = FakeClock()
    window = SlidingWindow(Rate(limit, 2.0), clock)
    admitted: list[float] = []
    for gap in gaps:
        clock.now += gap
        if window.admit():
            admitted.append(clock.now)
    for start in admitted:
        assert sum(1 for t in admitted if start <= t < start + 2.0) <= limit


def test_window_admits_again_after_it_slides() -> None:
    clock = FakeClock()
    window = SlidingWindow(Rate(2, 5.0), clock)
    assert [window.admit() for _ in range(3)] == [True, True, False]
    clock.now = 4.9
    assert window.admit() is False
    clock.now = 5.0
    assert window.admit() is True


@given(st.text(max_size=20))
def test_number_values(text: str) -> None:
    number = FieldDef("mx_Custom_5", "Fee", "Number")
    try:
        expected = float(text) not in (float("inf"), float("-inf")) and float(text) == float(text)
    except ValueError:
        expected = False
    assert value_fits(number, text) is expected


def test_dropdown_values_are_stored_as_configured() -> None:
    account = load_account()
    otype = account.opportunity_types[0]
    check = check_fields(
        account,
        otype,
        [
            {"SchemaName": "status", "Value": "open"},
            {"SchemaName": "mx_Custom_1", "Value": "x"},
            {"SchemaName": "mx_Custom_3", "Value": "mba"},
            {"SchemaName": "mx_Custom_19", "Value": "c"},
            {"SchemaName": "mx_Custom_8", "Value": "Yes"},
        ],
    )
    assert check.rejection is None
    assert check.invalid is None
    assert check.values == {
        "Status": "Open",
        "mx_Custom_1": "x",
        "mx_Custom_3": "MBA",
        "mx_Custom_19": "c",
        "mx_Custom_8": "Yes",
    }


def test_account_loads_leads_from_csv_and_inline() -> None:
    account = load_account()
    emails = {lead.get("EmailAddress") for lead in account.leads}
    assert "sandbox.lead@example.com" in emails
    assert len(account.leads) > 2


def test_bad_account_is_a_config_error(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "account.yaml"
    path.write_text("lead_fields: []\nopportunity_types: []\n")
    with pytest.raises(ConfigError, match="account"):
        load_account(path)
