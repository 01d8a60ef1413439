"""Deleting, piece by piece: `LsqClient.delete_opportunity` against the sandbox's every
answer, the recognisers of what LeadSquared says, and the undo's honesty about deletes it
did not make (gone before it asked) or that LeadSquared refused (failed, asked again by the
next undo)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

from importer.errors import Ambiguous, RequestRejected, UsageError
from importer.ledger import Ledger
from importer.model import JsonDict, Outcome
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS, Rejection
from importer.sandbox.testing import RunningSandbox
from importer.send.delete import Deletion, delete_all
from importer.send.ratelimit import RateLimiter
from importer.send.recognise import is_delete_not_allowed, is_opportunity_missing
from importer.send.retry import RetryPolicy
from importer.send.transport import LsqClient
from importer.settings import load_settings, parse_rate
from importer.undo import UndoOptions, undo_run
from importer.undo.api import deletions
from importer.undo.plan import OpportunityType
from importer.undo.results import write_undo_results
from tests.e2e_support import ledger_of, sample_subset, sheet_records
from tests.undo_support import FAST, created_ids, import_sample

Factory = Callable[..., RunningSandbox]
SVC = "/v2/OpportunityManagement.svc"


def client_for(box: RunningSandbox) -> LsqClient:
    retry = RetryPolicy(attempts=3, base=0.0, cap=0.0, max_throttles=50)
    return LsqClient(load_settings(environ=box.env()), RateLimiter(parse_rate(FAST)), retry=retry)


def add(box: RunningSandbox, event_code: int, **fields: str) -> str:
    item = {
        "SearchByValue": "sandbox.lead@example.com",
        "OpportunityEventCode": event_code,
        "Fields": [{"SchemaName": k, "Value": v} for k, v in fields.items()],
    }
    reply = requests.post(
        box.url + SVC + "/Bulk/Add/ByLeadField",
        params={"SearchBy": "EmailAddress"},
        json=[item],
        headers=box.headers(),
        timeout=10,
    )
    return str(reply.json()["Response"][0]["ProspectOpportunityId"])


@pytest.fixture
def box(sandbox: RunningSandbox) -> RunningSandbox:
    sandbox.reconfigure(rate=FAST)
    return sandbox


@pytest.fixture
def lsq(box: RunningSandbox) -> Iterator[LsqClient]:
    with client_for(box) as client:
        yield client


def course(box: RunningSandbox) -> str:
    return add(box, 12000, mx_Custom_1="Enquiry", mx_Custom_3="MBA", mx_Custom_4="Pune")


def test_a_delete_is_confirmed(lsq: LsqClient, box: RunningSandbox) -> None:
    oid = course(box)
    assert lsq.delete_opportunity(oid) == {"Status": "Success", "Message": {"IsSuccessful": True}}
    assert box.opportunity_state(oid) == "deleted"


def test_a_gone_opportunity_is_recognised(lsq: LsqClient, box: RunningSandbox) -> None:
    oid = course(box)
    lsq.delete_opportunity(oid)
    with pytest.raises(RequestRejected) as again:
        lsq.delete_opportunity(oid)
    said = (again.value.exception_type, again.value.message)
    assert is_opportunity_missing(*said)
    assert not is_delete_not_allowed(*said)


def test_a_type_without_deletion_is_recognised(lsq: LsqClient, box: RunningSandbox) -> None:
    oid = add(box, 12001, mx_Custom_1="Term 1")
    with pytest.raises(RequestRejected) as refused:
        lsq.delete_opportunity(oid)
    said = (refused.value.exception_type, refused.value.message)
    assert is_delete_not_allowed(*said)
    assert not is_opportunity_missing(*said)
    assert box.opportunity_state(oid) == "live"


@pytest.mark.parametrize("fault", ["500", "applied500", "reset", "applied-reset", "badjson"])
def test_an_unclear_delete_is_ambiguous(box: RunningSandbox, lsq: LsqClient, fault: str) -> None:
    oid = course(box)
    box.reconfigure(faults=f"{fault}:1")
    with pytest.raises(Ambiguous):
        lsq.delete_opportunity(oid)


OTHER_REFUSALS = [
    *(w.rejection("EmailAddress", "x@example.com") for w in LEAD_NOT_FOUND_WORDINGS),
    Rejection("MXUnhandledException", "Sandbox fault: the server failed while handling it."),
    Rejection("MXInvalidInputException", "Id is required: pass the opportunity's id as ?Id=."),
]


@pytest.mark.parametrize("said", OTHER_REFUSALS, ids=lambda r: r.message[:30])
def test_other_refusals_are_neither_gone_nor_forbidden(said: Rejection) -> None:
    assert not is_opportunity_missing(said.exception_type, said.message)
    assert not is_delete_not_allowed(said.exception_type, said.message)


@pytest.mark.parametrize(
    "said",
    [
        "Opportunity with Id 'abc' does not exist.",
        "No opportunity found with the given Id",
        "Opportunity not found",
        "The opportunity no longer exists",
    ],
)
def test_wordings_of_a_gone_opportunity(said: str) -> None:
    assert is_opportunity_missing(None, said)
    assert is_opportunity_missing("MXOpportunityNotFoundException", "")


def undo(box: RunningSandbox, out: Path, **chosen: Any) -> Any:
    chosen = {"yes": True, "rate": parse_rate(FAST), **chosen}
    options = UndoOptions(
        run="last", out=out.with_name("undo.xlsx"), ledger=ledger_of(out), **chosen
    )
    return undo_run(load_settings(environ=box.env()), options)


def test_an_opportunity_deleted_elsewhere_is_reported_already_gone(
    box: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "import.xlsx"
    import_sample(box, out, sample_subset(tmp_path, 5))
    ids = created_ids(out)
    with client_for(box) as client:
        client.delete_opportunity(ids[1])  # someone deleted it in LeadSquared
    report = undo(box, out)
    assert dict(report.sent) == {"deleted": 4, "already_gone": 1}
    assert (report.summary.deleted, report.summary.already_gone, report.exit_code) == (5, 1, 0)
    assert box.stats()["opportunities_deleted"] == 5
    problems = sheet_records(report.files.workbook, "Problems")
    assert [(p["Row"], p["Code"]) for p in problems] == [(3, "already_gone")]


class RefusingClient:
    """A client whose LeadSquared refuses every delete (a workflow locks them, say)."""

    def __init__(self) -> None:
        self.calls = 0

    def delete_opportunity(
        self, opportunity_id: str, before_send: Callable[[], None] | None = None
    ) -> JsonDict:
        if before_send is not None:
            before_send()
        self.calls += 1
        raise RequestRejected(500, "MXWorkflowException", "Opportunity is locked by a workflow")


def test_a_refused_delete_fails_and_the_next_undo_asks_again(
    box: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "import.xlsx"
    import_sample(box, out, sample_subset(tmp_path, 3))
    kind = OpportunityType(12000, "Course Enquiry", can_delete=True)
    with Ledger.open(ledger_of(out), box.url) as ledger:
        undo_ledger = ledger.undo(ledger.run_info("last"))
        refusing = RefusingClient()
        tally = delete_all(undo_ledger, refusing, deletions(undo_ledger, kind), workers=2)
        assert (dict(tally), refusing.calls) == ({"failed": 3}, 3)
        again: Sequence[Deletion] = list(deletions(undo_ledger, kind))
        assert len(again) == 3, "a refused delete is asked again by the next undo"
    report = undo(box, out)
    assert (dict(report.sent), report.exit_code) == ({"deleted": 3}, 0)


def test_a_failed_delete_is_named_in_the_workbook(box: RunningSandbox, tmp_path: Path) -> None:
    out = tmp_path / "import.xlsx"
    import_sample(box, out, sample_subset(tmp_path, 3))
    kind = OpportunityType(12000, "Course Enquiry", can_delete=True)
    with Ledger.open(ledger_of(out), box.url) as ledger:
        undo_ledger = ledger.undo(ledger.run_info("last"))
        delete_all(undo_ledger, RefusingClient(), deletions(undo_ledger, kind), workers=1)
        files = write_undo_results(undo_ledger, kind, tmp_path / "undo.xlsx", [])
    rows = sheet_records(files.workbook, "Rows")
    assert {r["Outcome"] for r in rows} == {Outcome.FAILED.value}
    problems = sheet_records(files.workbook, "Problems")
    assert {p["Code"] for p in problems} == {"delete_failed"}
    assert problems[0]["LeadSquared said"] == (
        "MXWorkflowException: Opportunity is locked by a workflow"
    )
    assert "Run the undo again later, or delete it by hand" in problems[0]["Message"]
    assert files.fix_file is None, "an undo's rows are never to be imported again"


def test_an_undo_waits_its_turn(box: RunningSandbox, tmp_path: Path) -> None:
    out = tmp_path / "import.xlsx"
    import_sample(box, out, sample_subset(tmp_path, 3))
    with Ledger.open(ledger_of(out), box.url) as ledger, ledger.exclusive(wait=False):
        with pytest.raises(UsageError, match="Another lsq-import is sending to this account"):
            undo(box, out)
        preview = undo(box, out, yes=False)  # a preview needs no lock
        assert preview.summary.to_delete == 3
    assert box.stats()["opportunities_deleted"] == 0


def test_without_a_ledger_there_is_nothing_to_undo(box: RunningSandbox, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No ledger for"):
        undo(box, tmp_path / "none.xlsx")
    assert not ledger_of(tmp_path / "none.xlsx").exists()
