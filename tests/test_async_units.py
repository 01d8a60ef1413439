"""Target async without a server: the async host and key settings, what a status reply says
and the outcome it maps to (exactly a Capture reply's), when each request is due, and the
progress line."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.cli.progress import ProgressReporter
from importer.errors import ConfigError
from importer.model import OpportunityRow, Outcome
from importer.send.async_api import QueueMetrics, TaskStatus, task_status
from importer.send.async_outcomes import finished_outcome
from importer.send.outcomes import SERVER_ERROR, capture_outcome
from importer.send.payloads import SendSettings
from importer.send.poll_schedule import MAX_WAIT, MIN_WAIT, SLACK, Schedule, Waiting
from importer.send.queue_tally import QueueTally
from importer.settings import Settings, async_host, load_settings

ENV = {
    "LSQ_HOST": "https://api-in21.leadsquared.com",
    "LSQ_ACCESS_KEY": "u$r0123456789abcdefXYZ9",
    "LSQ_SECRET_KEY": "s3cr3t0123456789abcdef0123456789",
}
SETTINGS = SendSettings(
    search_by="EmailAddress", event_code=12000, columns=(("mx_Custom_3", "Course"),)
)
ROW = OpportunityRow(
    "Sheet1",
    7,
    "a@example.com",
    (("EmailAddress", "a@example.com"),),
    (("mx_Custom_3", "MBA"), ("mx_Custom_5", "lots")),
)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("https://api.leadsquared.com", "https://asyncapi.leadsquared.com"),
        ("https://api-in21.leadsquared.com", "https://asyncapi-in21.leadsquared.com"),
        ("https://API-US11.leadsquared.com/", "https://asyncapi-us11.leadsquared.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),  # the sandbox serves both
        ("http://localhost:9000", "http://localhost:9000"),
    ],
)
def test_the_async_host_is_the_twin_of_the_regional_host(host: str, expected: str) -> None:
    assert async_host(load_settings(environ={**ENV, "LSQ_HOST": host})) == expected


def test_lsq_async_host_wins_and_is_checked_like_lsq_host() -> None:
    chosen = {**ENV, "LSQ_ASYNC_HOST": "https://asyncapi-ca12.leadsquared.com/"}
    assert async_host(load_settings(environ=chosen)) == "https://asyncapi-ca12.leadsquared.com"
    with pytest.raises(ConfigError, match="LSQ_ASYNC_HOST uses plain http://"):
        load_settings(environ={**ENV, "LSQ_ASYNC_HOST": "http://asyncapi.leadsquared.com"})


def test_an_unknown_host_needs_lsq_async_host() -> None:
    settings = load_settings(environ={**ENV, "LSQ_HOST": "https://crm.example.com"})
    with pytest.raises(ConfigError, match="set LSQ_ASYNC_HOST"):
        async_host(settings)


def test_the_api_key_is_never_shown_and_is_scrubbed() -> None:
    key = "TESTasync-api-key-7Hq2"
    settings = Settings(ENV["LSQ_HOST"], "u$access-0123456789", "secret-0123", api_key=key)
    assert key not in repr(settings)
    assert settings.scrub(f"x-api-key: {key}") == "x-api-key: ***"


# -- status replies -> outcomes ---------------------------------------------------------

SEED_002_MESSAGE = (
    '{"AdditionalDetails":[{"ActivityId":"ec2b45cc","PostDeDupActionPerformed":1}],'
    '"ConflictedOpportunityId":null,"CreatedOpportunityId":"0722f894","ExceptionMessage":null,'
    '"ExceptionType":null,"IsUnique":true,"PrimaryAction":1,"RelatedProspectId":"e7b8c25f",'
    '"RequestId":"c49a045b","SecondaryAction":2,"Status":0}'
)


def reply(status: str, reason: str = "", message: object = None) -> TaskStatus:
    body = {"RequestId": "r1", "TaskStatus": {"Status": status, "StatusReason": reason}}
    body["TaskStatus"]["Message"] = message  # type: ignore[index]
    return task_status(body)


def test_the_documented_success_maps_exactly_as_its_capture_reply() -> None:
    task = reply("Success", "Request was successfully completed", SEED_002_MESSAGE)
    assert task.state == "success"
    outcome = finished_outcome(ROW, task, SETTINGS)
    assert outcome == capture_outcome(ROW, json.loads(SEED_002_MESSAGE), SETTINGS)
    assert outcome is not None
    assert (outcome.outcome, outcome.opportunity_id) == (Outcome.CREATED, "0722f894")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Status": 0, "CreatedOpportunityId": "o1", "RelatedProspectId": None}, "needs_review"),
        ({"Status": 2, "CreatedOpportunityId": "o1", "RelatedProspectId": "p1"}, "partial"),
        ({"Status": 0, "ConflictedOpportunityId": "o0", "RelatedProspectId": "p1"}, "duplicate"),
        ({"Status": 1, "ExceptionType": "MXInvalidInputException"}, "failed"),
    ],
)
def test_every_capture_reply_inside_a_success_maps_the_same(
    fields: dict[str, object], expected: str
) -> None:
    task = reply("Success", message=json.dumps(fields))
    outcome = finished_outcome(ROW, task, SETTINGS)
    assert outcome == capture_outcome(ROW, fields, SETTINGS)
    assert outcome is not None
    assert outcome.outcome == expected


def test_failure_is_failed_in_leadsquareds_words_naming_the_column() -> None:
    said = "MXInvalidInputException: Invalid value for field 'mx_Custom_3'"
    outcome = finished_outcome(ROW, reply("FAILURE", said), SETTINGS)
    assert outcome is not None
    assert outcome.outcome is Outcome.FAILED
    (problem,) = outcome.problems
    assert problem.column == "Course"
    assert problem.detail == said
    assert "Row 7" in outcome.message
    assert "Invalid value" in outcome.message


def test_error_is_failed_as_leadsquareds_own_failure() -> None:
    outcome = finished_outcome(ROW, reply("ERROR", "Request failed after retries"), SETTINGS)
    assert outcome is not None
    assert outcome.outcome is Outcome.FAILED
    (problem,) = outcome.problems
    assert problem.code == SERVER_ERROR
    assert "gave up" in outcome.message
    assert "LeadSquared's side" in outcome.message


@pytest.mark.parametrize(
    "body",
    [
        {"TaskStatus": {"Status": "In-Queue", "Message": None}},
        {"TaskStatus": {"Status": "Processing"}},
        {"unexpected": True},
        "not even an object",
    ],
)
def test_anything_unfinished_or_unreadable_is_still_queued(body: object) -> None:
    assert task_status(body).state == "queued"


def test_a_success_without_a_readable_reply_must_be_looked_up() -> None:
    assert finished_outcome(ROW, reply("Success", message="{cut sho"), SETTINGS) is None
    assert finished_outcome(ROW, reply("Success", message=None), SETTINGS) is None


# -- timing ----------------------------------------------------------------------------


def waiting(since: float, request_id: str | None = "r") -> Waiting:
    return Waiting(ROW, request_id, since)


def test_the_first_poll_waits_for_the_queues_own_delay() -> None:
    schedule = Schedule(QueueMetrics(pending=40, max_delay=3))
    schedule.add(waiting(100.0))
    assert schedule.due(103.0 + SLACK - 0.01, 10) == []
    assert schedule.next_due() == pytest.approx(103.0 + SLACK)
    schedule.metrics = QueueMetrics(pending=40, max_delay=1)  # a newer read moves it
    assert len(schedule.due(101.0 + SLACK, 10)) == 1


def test_a_row_to_look_up_waits_for_metrics_that_know_of_it() -> None:
    schedule = Schedule(QueueMetrics(pending=0, max_delay=0), now=5.0)
    schedule.add(waiting(10.0, request_id=None))  # sent after the metrics were read
    assert (schedule.open, schedule.unclear) == (1, 1)
    assert schedule.next_due() == float("inf")
    assert schedule.due(1000.0, 10) == []
    assert schedule.metrics_due(10.1, submitted=1)
    schedule.read(QueueMetrics(pending=1, max_delay=2), asked=10.1, submitted=1)
    assert not schedule.metrics_due(10.2, submitted=1)
    # ... then longer than a poll: the queue's delay and twice the slack.
    assert schedule.next_due() == pytest.approx(10.0 + 2 + 2 * SLACK)
    assert len(schedule.due(10.0 + 2 + 2 * SLACK, 10)) == 1


def test_metrics_asked_for_before_a_row_was_sent_know_nothing_of_it() -> None:
    # The read was on its way when the unclear reply came: its empty queue says nothing
    # of the request the server still holds (the answer came after, the question before).
    schedule = Schedule(QueueMetrics(pending=0, max_delay=0), now=5.0)
    schedule.add(waiting(10.0, request_id=None))
    schedule.read(QueueMetrics(pending=0, max_delay=0), asked=9.9, submitted=1)
    assert schedule.next_due() == float("inf")
    assert schedule.metrics_due(10.3, submitted=1)


@given(
    delay=st.floats(min_value=0, max_value=10_000),
    polls=st.integers(min_value=1, max_value=60),
)
def test_backoff_grows_and_stays_within_bounds(delay: float, polls: int) -> None:
    schedule = Schedule(QueueMetrics(pending=1, max_delay=delay))
    wait = schedule.backoff(polls)
    assert MIN_WAIT <= wait <= MAX_WAIT
    assert schedule.backoff(polls + 1) >= wait


def test_progress_shows_submitted_queued_and_the_servers_queue() -> None:
    out = io.StringIO()
    progress = ProgressReporter(10, stream=out, every=0.0)
    counts = {Outcome.CREATED: 4, Outcome.QUEUED: 3}
    progress(4, QueueTally(counts, submitted=7, server_pending=12, server_delay=3))
    progress.show(force=True)  # what the display's ticker does every second
    progress.close()
    line = out.getvalue()
    assert "created 4" in line
    assert "submitted 7, queued 3; LeadSquared's queue: 12 waiting, up to 3 s" in line
