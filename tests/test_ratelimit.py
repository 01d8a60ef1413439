"""The rate limiter, on a fake clock: never more than ``calls`` starts in any window."""

from __future__ import annotations

import bisect
import threading
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from importer.errors import ConfigError
from importer.send.ratelimit import RateLimiter
from importer.settings import Rate, parse_rate

EPS = 1e-9  # float slack when comparing fake-clock times


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept.append(seconds)
        self.now += seconds


def limiter(rate: Rate, margin: float = 0.15) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(rate, margin=margin, clock=clock, sleep=clock.sleep), clock


def most_in_any_window(starts: list[float], seconds: float) -> int:
    """Most starts in any half-open window [t, t + seconds) (one starting at each start)."""
    ordered = sorted(starts)
    return max(
        (bisect.bisect_left(ordered, t + seconds - EPS) - i for i, t in enumerate(ordered)),
        default=0,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/5s", Rate(25, 5.0)),
        ("10/5", Rate(10, 5.0)),
        ("1/5s", Rate(1, 5.0)),
        (" 3 / 1.5 sec ", Rate(3, 1.5)),
        ("100/1m", Rate(100, 60.0)),
        ("20/5seconds", Rate(20, 5.0)),
    ],
)
def test_parse_rate_accepts_the_usual_spellings(text: str, expected: Rate) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "25", "25/", "/5s", "0/5s", "5/0s", "-1/5s", "a/b", "5/5h"])
def test_parse_rate_refuses_nonsense_with_an_example(text: str) -> None:
    with pytest.raises(ConfigError, match=r"25/5s|at least 1 call"):
        parse_rate(text)


def test_rate_prints_as_it_is_written() -> None:
    assert str(Rate(25, 5.0)) == "25/5s"


def test_a_burst_up_to_the_limit_does_not_wait() -> None:
    lim, clock = limiter(Rate(5, 1.0))
    for _ in range(5):
        lim.acquire()
    assert clock.slept == []
    assert lim.max_in_window == 5


def test_the_next_call_waits_for_the_window_plus_margin() -> None:
    lim, clock = limiter(Rate(5, 1.0), margin=0.15)
    for _ in range(6):
        lim.acquire()
    assert clock.now == pytest.approx(1001.15)
    assert lim.max_in_window == 5


def test_calls_spread_over_time_never_wait() -> None:
    lim, clock = limiter(Rate(2, 1.0), margin=0.1)
    for _ in range(10):
        lim.acquire()
        clock.now += 0.6
    assert clock.slept == []


def test_throttled_pauses_everyone_for_a_full_window_and_lowers_the_rate() -> None:
    lim, clock = limiter(Rate(10, 5.0), margin=0.0)
    lim.acquire()
    lim.throttled()
    assert lim.allowed == 8
    paused_at = clock.now
    lim.acquire()
    assert clock.now >= paused_at + 5.0 - EPS


def test_a_storm_of_429s_lowers_the_rate_once() -> None:
    lim, clock = limiter(Rate(25, 5.0))
    for _ in range(25):
        lim.throttled()
        clock.now += 0.01
    assert lim.allowed == 20
    assert lim.throttle_count == 25


def test_rate_recovers_one_call_per_quiet_window() -> None:
    lim, clock = limiter(Rate(10, 5.0), margin=0.0)
    lim.throttled()
    assert lim.allowed == 8
    clock.now += 5.0  # the pause
    clock.now += 5.0
    assert lim.allowed == 9
    clock.now += 50.0
    assert lim.allowed == 10


def test_repeated_throttles_never_go_below_one_call() -> None:
    lim, clock = limiter(Rate(2, 1.0))
    for _ in range(5):
        lim.throttled()
        clock.now += 1.2  # outside the pause: each one counts
    assert lim.allowed == 1


actions = st.lists(
    st.one_of(
        st.tuples(st.just("call"), st.integers(1, 8)),
        st.tuples(st.just("idle"), st.floats(0.0, 7.0)),
        st.tuples(st.just("throttle"), st.just(0)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    calls=st.integers(1, 30),
    seconds=st.floats(0.5, 10.0),
    margin=st.floats(0.0, 0.5),
    plan=actions,
)
@example(  # two starts one window apart, to the last bit of a float: two windows
    calls=2,
    seconds=9.579041072066811,
    margin=0.0,
    plan=[("throttle", 0), ("idle", 1.0), ("idle", 7.0), ("idle", 7.0), ("call", 2)],
)
def test_random_call_patterns_never_exceed_the_window(
    calls: int, seconds: float, margin: float, plan: list[tuple[str, float]]
) -> None:
    lim, clock = limiter(Rate(calls, seconds), margin=margin)
    starts: list[float] = []
    pauses: list[float] = []
    for action, amount in plan:
        if action == "call":
            for _ in range(int(amount)):
                lim.acquire()
                starts.append(clock.now)
        elif action == "idle":
            clock.now += amount
        else:
            lim.throttled()
            pauses.append(clock.now)
    assert most_in_any_window(starts, seconds) <= calls
    assert lim.max_in_window <= calls
    assert lim.max_in_window == most_in_any_window(starts, seconds) or not starts
    for paused_at in pauses:  # nothing starts during a pause
        assert not [t for t in starts if paused_at < t < paused_at + seconds - EPS]


def test_threads_share_one_window() -> None:
    """Real threads and the real clock on a short window: the count still holds."""
    rate = Rate(5, 0.2)
    lim = RateLimiter(rate, margin=0.02)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            lim.acquire()
            with lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(starts) == 20
    assert lim.max_in_window <= 5
    assert most_in_any_window(starts, rate.seconds) <= 5
