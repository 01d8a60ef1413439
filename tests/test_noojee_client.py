"""What one answer from Noojee means (pure: status and body in, verdict out), and that
none of it ever repeats the key."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.errors import Ambiguous, AuthError, ConfigError, RunRefused
from importer.send.classify import TryAgain
from importer.send.noojee.client import NoojeeReply, judge
from importer.send.noojee.replies import Said
from importer.send.noojee.settings import NoojeeSettings

SETTINGS = NoojeeSettings(host="https://dialer.example", api_key="k3y/with+plus")


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (200, '{"code": 0, "message": "OK"}', "reply"),
        (400, '{"code": 104, "message": "DNC"}', "reply"),
        (400, '{"code": 109, "message": "TIMEOUT_TOO_MANY_CONCURRENT_REQUESTS"}', "again"),
        (429, "", "throttle"),
        (500, '{"code": 103, "message": "EXCEPTION"}', Ambiguous),
        (200, '{"code": 103, "message": "EXCEPTION"}', Ambiguous),
        (502, "<html>Bad gateway</html>", Ambiguous),
        (200, "not json", Ambiguous),
        (400, "Bad Request", RunRefused),
        (404, '{"Status": "Error"}', RunRefused),
        (401, '{"code": 401, "message": "UNAUTHORISED"}', AuthError),
        (403, "", AuthError),
        (302, "", ConfigError),
    ],
)
def test_what_an_answer_means(status: int, body: str, verdict: object) -> None:
    if isinstance(verdict, type):
        with pytest.raises(verdict):
            judge(status, body, SETTINGS)
        return
    answer = judge(status, body, SETTINGS)
    if verdict == "reply":
        assert isinstance(answer, NoojeeReply)
    else:
        assert isinstance(answer, TryAgain)
        assert answer.throttle is (verdict == "throttle")


def test_an_answer_never_repeats_the_key() -> None:
    echoed = '{"code": 104, "message": "DNC for ?apiKey=k3y%2Fwith%2Bplus and k3y/with+plus"}'
    answer = judge(400, echoed, SETTINGS)
    assert isinstance(answer, NoojeeReply)
    assert answer.said.message == "DNC for ?apiKey=*** and ***"
    with pytest.raises(RunRefused) as refused:
        judge(400, "no such campaign for apiKey=k3y%2Fwith%2Bplus", SETTINGS)
    assert "k3y" not in str(refused.value)


def test_a_per_lead_reply_is_read_lead_by_lead() -> None:
    body = '{"code": 105, "message": "DUPLICATE", "leads": [{"code": 0, "message": "OK"},'
    body += ' {"code": 105, "message": "DUPLICATE"}]}'
    answer = judge(400, body, SETTINGS)
    assert isinstance(answer, NoojeeReply)
    assert answer.leads == (Said(0, "OK"), Said(105, "DUPLICATE"))
    broken = judge(400, '{"code": 105, "message": "D", "leads": [{"x": 1}]}', SETTINGS)
    assert isinstance(broken, NoojeeReply)
    assert broken.leads is None  # cannot be trusted lead by lead: bisected instead


@settings(max_examples=200, deadline=None)
@given(key=st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=8, max_size=40))
def test_a_key_in_a_url_is_always_scrubbed(key: str) -> None:
    """Whatever the key, the URL requests builds with it (and the text around it, as an
    exception would quote it) holds no form of it once scrubbed."""
    chosen = NoojeeSettings(host="https://dialer.example", api_key=key)
    prepared = requests.Request(
        "POST",
        chosen.host + "/servicemanager/rest/CampaignAPI/insertLeadFast",
        params={"apiKey": key, "fCampaignId": "7"},
    ).prepare()
    said = chosen.scrub(f"Max retries exceeded with url: {prepared.url} (key {key})")
    assert key not in said
    assert quote_plus(key) not in said
    assert quote(key, safe="") not in said
