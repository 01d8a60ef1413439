"""Sending to Noojee over real HTTP against the sandbox: every reply code to its outcome and
message, bisection in each batch mode, 109 storms within the concurrency, a 110 never
resent, and sends whose answer was lost resolved without ever saving a lead twice."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from importer.errors import ConfigError
from importer.mapping import load_mapping
from importer.model import DialerLead, Outcome, RowOutcome
from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.send.noojee.client import INSERT
from importer.send.noojee.replies import Context, Said, lead_outcome
from importer.send.noojee.settings import load_noojee_settings
from importer.send.payloads import SendSettings
from tests.noojee_support import (
    BEING_EDITED,
    MAPPING,
    SAMPLE,
    WITH_DISPOSITION,
    WITHOUT_DISPOSITION,
    campaign_ids,
    crafted,
    enquiry,
    leads_of,
    mapping_with,
    noojee_run,
    noojee_stats,
    sample_outcomes,
    section_of,
    send_leads_to,
    send_run,
    write_csv,
)

Factory = Callable[..., RunningSandbox]
SECTION = section_of()
NEW = {"FirstName": "New", "MobilePhone": "+91-9700000001", "njContactHours": "Kolkata Office"}


def outcome_and_code(result: RowOutcome) -> tuple[Outcome, str | None]:
    return result.outcome, result.problems[0].code if result.problems else None


def test_every_insert_code_becomes_its_outcome(sandbox: RunningSandbox, tmp_path: Path) -> None:
    leads = [
        crafted(SECTION, 2, njExternalLeadId="N-2", **NEW),
        crafted(SECTION, 3, njExternalLeadId="N-3", FirstName="No phone"),
        crafted(SECTION, 4, njExternalLeadId="N-4", MobilePhone="+91-9845000404"),
        crafted(SECTION, 5, njExternalLeadId="N-5", MobilePhone="+91-9845000902"),
        crafted(
            SECTION, 6, njExternalLeadId="N-6", MobilePhone="+91-9700000006", njDisposition="Maybe"
        ),
        crafted(
            SECTION, 7, njExternalLeadId="N-7", MobilePhone="+91-9700000007", Campus="<NO CHANGE>"
        ),
        crafted(
            SECTION, 8, njExternalLeadId="N-8", MobilePhone="+91-9700000008", njContactHours="Mars"
        ),
        crafted(SECTION, 9, njExternalLeadId="HZ-DL-0903", MobilePhone="+91-9700000009"),
        crafted(SECTION, 10, njExternalLeadId="N-10", MobilePhone="+91-9700000010"),
    ]
    before = set(campaign_ids(sandbox))
    found = send_leads_to(sandbox, tmp_path, leads)
    assert {row: outcome_and_code(o) for row, o in found.items()} == {
        2: (Outcome.CREATED, None),
        3: (Outcome.INVALID, "no_phone_number"),
        4: (Outcome.FAILED, "do_not_call"),
        5: (Outcome.DUPLICATE, "duplicate_number"),
        6: (Outcome.INVALID, "unknown_disposition"),
        7: (Outcome.INVALID, "no_change_on_insert"),
        8: (Outcome.FAILED, "unknown_contact_hours"),
        9: (Outcome.DUPLICATE, "duplicate_external_id"),
        10: (Outcome.CREATED, None),
    }
    assert "the dry run should have caught this" in found[3].message
    assert "the dry run should have caught this" in found[6].message
    assert "the dry run should have caught this" in found[7].message
    assert "a phone number is on the Do-Not-Call list" in found[4].message
    assert "it is never retried" in found[4].message
    assert "already has a lead with one of this lead's phone numbers" in found[5].message
    assert "already has a lead with njExternalLeadId 'HZ-DL-0903'" in found[9].message
    assert found[4].problems[0].detail == "code 104 DNC"
    assert set(campaign_ids(sandbox)) - before == {"N-2", "N-10"}
    assert noojee_stats(sandbox)["duplicates_created"] == 0


def test_every_update_code_becomes_its_outcome(sandbox: RunningSandbox, tmp_path: Path) -> None:
    mapping = load_mapping(mapping_with(tmp_path, mode="update"))
    assert mapping.noojee is not None
    section = mapping.noojee
    keep = "<NO CHANGE>"
    leads = [
        crafted(section, 2, njExternalLeadId=WITH_DISPOSITION, MobilePhone=keep, Campus="Pune"),
        crafted(section, 3, njExternalLeadId="HZ-DL-9999", MobilePhone=keep),
        crafted(section, 4, njExternalLeadId=WITHOUT_DISPOSITION, MobilePhone=keep),
        crafted(section, 5, njExternalLeadId=BEING_EDITED, MobilePhone=keep, njDisposition=keep),
        crafted(section, 6, njExternalLeadId="HZ-DL-0903", MobilePhone=keep, njDisposition="Maybe"),
        crafted(
            section,
            7,
            njExternalLeadId="HZ-DL-0904",
            MobilePhone="+91-9845000404",
            njDisposition="Interested",
        ),
    ]
    found = send_leads_to(sandbox, tmp_path, leads, mapping)
    assert {row: outcome_and_code(o) for row, o in found.items()} == {
        2: (Outcome.UPDATED, None),
        3: (Outcome.FAILED, "external_id_not_found"),
        4: (Outcome.FAILED, "disposition_required"),
        5: (Outcome.NEEDS_REVIEW, "edit_conflict"),
        6: (Outcome.INVALID, "unknown_disposition"),
        7: (Outcome.FAILED, "do_not_call"),
    }
    assert "no lead in campaign 7 has njExternalLeadId 'HZ-DL-9999'" in found[3].message
    assert "has no disposition yet" in found[4].message
    assert "a person was editing lead 'HZ-DL-0905'" in found[5].message
    assert "It was not sent again: a retry could overwrite their work" in found[5].message
    stats = noojee_stats(sandbox)
    assert stats["resends_of_conflicted"] == 0
    assert stats["codes"]["110"] >= 1
    edited = next(
        lead for lead in sandbox.noojee_leads() if lead["njExternalLeadId"] == WITH_DISPOSITION
    )
    assert edited["fields"]["Campus"] == "Pune"


def test_a_110_is_never_sent_again_even_by_the_next_run(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    mapping = load_mapping(mapping_with(tmp_path, mode="update"))
    assert mapping.noojee is not None
    lead = crafted(mapping.noojee, 2, njExternalLeadId=BEING_EDITED, MobilePhone="<NO CHANGE>")
    first = send_leads_to(sandbox, tmp_path, [lead], mapping)
    again = send_leads_to(sandbox, tmp_path, [lead], mapping)
    assert first[2].outcome is again[2].outcome is Outcome.NEEDS_REVIEW
    assert noojee_stats(sandbox)["calls_total"] == 1
    assert noojee_stats(sandbox)["resends_of_conflicted"] == 0


def test_an_unknown_code_fails_with_noojees_words() -> None:
    lead = crafted(SECTION, 5, njExternalLeadId="X-1", MobilePhone="+91-9700000001")
    context = Context(SECTION, SendSettings("", 0).columns)
    result = lead_outcome(lead, Said(777, "QUOTA_REACHED: try tomorrow"), context)
    assert result.outcome is Outcome.FAILED
    assert "code 777 QUOTA_REACHED: try tomorrow" in result.message
    assert result.problems[0].code == "rejected"
    assert result.problems[0].detail == "code 777 QUOTA_REACHED: try tomorrow"


@pytest.mark.parametrize("mode", ["all_or_nothing", "until_first_bad", "per_lead"])
def test_the_sample_in_each_batch_mode(sandbox_factory: Factory, tmp_path: Path, mode: str) -> None:
    box = sandbox_factory(noojee_batch=mode)
    before = Counter(campaign_ids(box))
    found = send_leads_to(box, tmp_path, leads_of(SAMPLE, MAPPING))
    expected = {row: o for row, o in sample_outcomes().items() if o != "invalid"}
    got = {row: str(o.outcome) for row, o in found.items() if o.outcome is not Outcome.CREATED}
    stats = noojee_stats(box)
    assert stats["duplicates_created"] == 0
    assert stats["leads_created"] == 31
    added = Counter(campaign_ids(box)) - before
    assert set(added.values()) == {1}
    assert len(added) == 31
    if mode == "until_first_bad":
        # This server saved the leads before each refused one: their resends answer 112,
        # reported as duplicate with a message saying a refused request may have saved it.
        assert {row: got[row] for row in expected} == expected
        assert set(got.values()) == {"duplicate", "failed"}
        saved = [o for o in found.values() if o.outcome is Outcome.DUPLICATE]
        assert all("refused because of another row" in o.message for o in saved)
    else:
        assert got == expected
    if mode == "per_lead":
        assert stats["calls_total"] == 2  # 34 valid rows: 25 + 9, no bisection needed


def test_109_storms_are_retried_within_the_concurrency(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(
        noojee_max_concurrent=1,
        noojee_queue_s=0.02,
        latency="15ms",
        noojee_faults="busy:0.25",
        seed=7,
    )
    mapping = mapping_with(tmp_path, batch_size="2", concurrency="3")
    source = write_csv(tmp_path, [enquiry(n) for n in range(1, 31)])
    found = send_leads_to(box, tmp_path, leads_of(source, mapping), mapping)
    assert Counter(o.outcome for o in found.values()) == {Outcome.CREATED: 30}
    stats = noojee_stats(box)
    assert stats["codes"]["109"] >= 5, stats["codes"]
    assert stats["max_in_flight"] <= 3
    assert stats["leads_created"] == 30


def _pretend_sent(box: RunningSandbox, leads: list[DialerLead], allow: str = "false") -> None:
    """The leads' first send landed, and its answer was lost (a crash, a dropped reply)."""
    query = {"apiKey": box.noojee_api_key, "fTemplateId": "3", "fCampaignId": "7"}
    query |= {"fAllocationId": "11", "allowDuplicates": allow}
    reply = requests.post(box.url + INSERT, params=query, json=[dict(x.fields) for x in leads])
    assert reply.json()["code"] == 0


def test_an_insert_whose_answer_was_lost_is_resent_and_proven(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path, [enquiry(n) for n in range(1, 7)])
    leads = leads_of(source, MAPPING)
    _pretend_sent(sandbox, leads[:3])
    mapping = load_mapping(MAPPING)
    with noojee_run(sandbox, tmp_path, leads, mapping) as run:
        keyed = next(run.pending())
        assert len(run.claim(keyed, "crashed", 0.0)) == 6  # in flight when the run died
        found = send_run(sandbox, run, mapping)
    assert {o.outcome for o in found.values()} == {Outcome.CREATED}
    for row in (2, 3, 4):
        assert "shows the first send saved it. Nothing was created twice" in found[row].message
    for row in (5, 6):
        assert found[row].message == ""  # not there: the resend created it
    assert Counter(campaign_ids(sandbox))["T-0001"] == 1
    assert all(n == 1 for n in Counter(campaign_ids(sandbox)).values())


def test_a_resent_insert_refused_for_its_number_alone_was_never_saved(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path, [enquiry(1, Mobile="98450 00902")])  # HZ-DL-0902's mobile
    mapping = load_mapping(MAPPING)
    leads = leads_of(source, mapping)
    with noojee_run(sandbox, tmp_path, leads, mapping) as run:
        run.claim(next(run.pending()), "crashed", 0.0)
        found = send_run(sandbox, run, mapping)
    # Its external id is not in the campaign (Noojee would answer 112 first), so the 105
    # is about another lead's number: a duplicate, not a proof that it landed.
    assert found[2].outcome is Outcome.DUPLICATE


@pytest.mark.parametrize("kind", ["insert allowing duplicates", "update"])
def test_a_lost_answer_that_cannot_be_checked_is_for_a_person(
    sandbox: RunningSandbox, tmp_path: Path, kind: str
) -> None:
    if kind == "update":
        path = mapping_with(tmp_path, mode="update")
        rows = [{**enquiry(0), "Lead Ref": WITH_DISPOSITION, "Mobile": ""}]
    else:
        path = mapping_with(tmp_path, allow_duplicates="true")
        rows = [enquiry(1)]
    mapping = load_mapping(path)
    leads = leads_of(write_csv(tmp_path, rows), mapping)
    with noojee_run(sandbox, tmp_path, leads, mapping) as run:
        run.claim(next(run.pending()), "crashed", 0.0)
        found = send_run(sandbox, run, mapping)
    assert found[2].outcome is Outcome.NEEDS_REVIEW
    assert found[2].problems[0].code == "answer_lost"
    assert noojee_stats(sandbox)["calls_total"] == 0, "nothing is sent blindly"
    said = "could overwrite changes" if kind == "update" else "a resend could create it twice"
    assert said in found[2].message


@pytest.mark.parametrize("allow", ["false", "true"])
def test_faults_never_save_a_lead_twice(
    sandbox_factory: Factory, tmp_path: Path, allow: str
) -> None:
    box = sandbox_factory(
        noojee_faults="applied500:0.25,500:0.1,reset:0.1", seed=3, noojee_batch="until_first_bad"
    )
    mapping = load_mapping(mapping_with(tmp_path, allow_duplicates=allow, batch_size="4"))
    rows = [enquiry(n) for n in range(1, 25)]
    if allow == "false":  # with duplicates allowed Noojee would rightly save this one again
        rows.append(enquiry(99, **{"Lead Ref": "HZ-DL-0903"}))
    leads = leads_of(write_csv(tmp_path, rows), mapping)
    for _ in range(8):  # each run checks what the one before left unclear
        with noojee_run(box, tmp_path, leads, mapping) as run:
            found = send_run(box, run, mapping)
        if Outcome.PENDING not in {o.outcome for o in found.values()}:
            break
    assert len(found) == len(rows)
    assert Outcome.PENDING not in {o.outcome for o in found.values()}
    assert noojee_stats(box)["duplicates_created"] == 0
    held = Counter(campaign_ids(box))
    assert all(held[f"T-{n:04d}"] <= 1 for n in range(1, 25))
    if allow == "false":  # every send can be checked: each new lead is there, once
        assert all(held[f"T-{n:04d}"] == 1 for n in range(1, 25))
        assert {found[row].outcome for row in range(2, 26)} == {Outcome.CREATED}
    else:  # a lost answer is for a person: those rows, and only those, may be missing
        unsure = {r for r, o in found.items() if o.outcome is Outcome.NEEDS_REVIEW}
        assert {r for r, o in found.items() if o.outcome is Outcome.CREATED} | unsure == set(found)
        assert all(held[f"T-{row - 1:04d}"] == 1 for row in set(found) - unsure)


def test_a_103_is_unclear_until_a_resend_proves_it(sandbox: RunningSandbox, tmp_path: Path) -> None:
    sandbox.reconfigure(noojee_faults="applied500:1")  # saved, then "103 EXCEPTION"
    mapping = load_mapping(MAPPING)
    leads = leads_of(write_csv(tmp_path, [enquiry(1), enquiry(2)]), mapping)
    with noojee_run(sandbox, tmp_path, leads, mapping) as run:
        unclear = send_run(sandbox, run, mapping)
        assert {o.outcome for o in unclear.values()} == {Outcome.PENDING}
        assert Counter(campaign_ids(sandbox))["T-0001"] == 1  # saved once, resends refused
        sandbox.reconfigure(noojee_faults=None)
        found = send_run(sandbox, run, mapping)
    assert {o.outcome for o in found.values()} == {Outcome.CREATED}
    assert all("shows the first send saved it" in o.message for o in found.values())
    assert noojee_stats(sandbox)["duplicates_created"] == 0
    assert Counter(campaign_ids(sandbox))["T-0002"] == 1


@pytest.mark.parametrize("mode", ["all_or_nothing", "per_lead"])
def test_leads_people_are_editing_are_never_resent(
    sandbox_factory: Factory, tmp_path: Path, mode: str
) -> None:
    box = sandbox_factory(noojee_conflict=0.5, seed=4, noojee_batch=mode)
    mapping = load_mapping(mapping_with(tmp_path, mode="update"))
    section = section_of(mapping)
    ids = ["HZ-DL-0901", "HZ-DL-0903", "HZ-DL-0904", BEING_EDITED]
    leads = [
        crafted(section, n, njExternalLeadId=i, MobilePhone="<NO CHANGE>", njDisposition="Enrolled")
        for n, i in enumerate(ids, start=2)
    ]
    found = send_leads_to(box, tmp_path, leads, mapping)
    outcomes = Counter(o.outcome for o in found.values())
    assert set(outcomes) <= {Outcome.UPDATED, Outcome.NEEDS_REVIEW}
    assert found[5].outcome is Outcome.NEEDS_REVIEW  # open in a person's screen from the start
    assert all(o.problems[0].code == "edit_conflict" for o in found.values() if o.problems)
    assert noojee_stats(box)["resends_of_conflicted"] == 0


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"NOOJEE_API_KEY": "wrong-key-123456"}, "Noojee refused the API key (HTTP 401)"),
        ({"NOOJEE_HOST": "{url}/not/here"}, "NOOJEE_HOST must be only scheme and host name"),
    ],
)
def test_a_wrong_key_or_host_stops_before_any_row(
    sandbox: RunningSandbox, tmp_path: Path, env: dict[str, str], says: str
) -> None:
    environ = sandbox.env() | {k: v.format(url=sandbox.url) for k, v in env.items()}
    options = RunOptions(out=tmp_path / "r.xlsx", ledger=tmp_path / "ledger.sqlite")
    with pytest.raises(ConfigError, match=re.escape(says)):
        run_import(SAMPLE, MAPPING, load_noojee_settings(environ=environ), options)
    assert noojee_stats(sandbox)["leads_created"] == 0
