"""Settings: where the host and keys come from, what is refused, and that keys stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.errors import ConfigError
from importer.settings import (
    Settings,
    check_host,
    is_loopback,
    load_host,
    load_settings,
    read_env_file,
)

ACCESS = "u$r0123456789abcdefXYZ9"
SECRET = "s3cr3t0123456789abcdef0123456789"
ENV = {
    "LSQ_HOST": "https://api-in21.leadsquared.com",
    "LSQ_ACCESS_KEY": ACCESS,
    "LSQ_SECRET_KEY": SECRET,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lsq.env"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_from_the_environment() -> None:
    settings = load_settings(environ=ENV)
    assert settings == Settings("https://api-in21.leadsquared.com", ACCESS, SECRET)
    assert settings.timeout == 30.0
    assert settings.connect_timeout == 5.0


def test_optional_api_key_and_timeouts() -> None:
    env = {**ENV, "LSQ_API_KEY": "apikey-123", "LSQ_TIMEOUT": "90", "LSQ_CONNECT_TIMEOUT": "2.5"}
    settings = load_settings(environ=env)
    assert (settings.api_key, settings.timeout, settings.connect_timeout) == ("apikey-123", 90, 2.5)


def test_config_file_wins_over_the_environment_and_env_fills_gaps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeff# my account\n"
        "export LSQ_HOST=https://api-us11.leadsquared.com/\n"
        "\n"
        "LSQ_ACCESS_KEY = 'u$file-access-key-0001'\n",
    )
    settings = load_settings(path, environ=ENV)
    assert settings.host == "https://api-us11.leadsquared.com"
    assert settings.access_key == "u$file-access-key-0001"  # `$` kept: nothing interpolated
    assert settings.secret_key == SECRET


def test_the_host_alone_needs_no_keys(tmp_path: Path) -> None:
    """`history` reads only the host: from --host, the config file, then the environment."""
    only_host = {"LSQ_HOST": "https://api-in21.leadsquared.com/"}
    assert load_host(environ=only_host) == "https://api-in21.leadsquared.com"
    path = write(tmp_path, "LSQ_HOST=https://api-us11.leadsquared.com\n")
    assert load_host(path, environ=only_host) == "https://api-us11.leadsquared.com"
    assert load_host(path, environ=only_host, host="http://127.0.0.1:9") == "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="LSQ_HOST not set: put it in the environment"):
        load_host(environ={"LSQ_ACCESS_KEY": ACCESS})
    with pytest.raises(ConfigError, match="plain http://"):
        load_host(environ={}, host="http://api-in21.leadsquared.com")


def test_overrides_win_over_file_and_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "LSQ_HOST=https://api-us11.leadsquared.com\n")
    settings = load_settings(path, environ=ENV, host="http://127.0.0.1:8080", timeout=3.0)
    assert settings.host == "http://127.0.0.1:8080"
    assert settings.timeout == 3.0


def test_env_file_values_may_be_quoted_or_carry_a_comment(tmp_path: Path) -> None:
    path = write(tmp_path, 'A="x # not a comment"\nB=plain # a comment\nC=\n')
    assert read_env_file(path) == {"A": "x # not a comment", "B": "plain", "C": ""}


def test_a_bad_line_in_the_config_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "LSQ_HOST=https://x.leadsquared.com\nthis is not a setting\n")
    with pytest.raises(ConfigError, match="line 2"):
        load_settings(path, environ={})


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Cannot read the config file .*nope\.env"):
        load_settings(tmp_path / "nope.env", environ=ENV)


@pytest.mark.parametrize("missing", ["LSQ_HOST", "LSQ_ACCESS_KEY", "LSQ_SECRET_KEY"])
def test_missing_host_or_keys_are_named(missing: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing) as caught:
        load_settings(environ=env)
    assert caught.value.exit_code == 2


def test_blank_keys_count_as_missing() -> None:
    with pytest.raises(ConfigError, match=r"LSQ_SECRET_KEY not set.*API Access Keys"):
        load_settings(environ={**ENV, "LSQ_SECRET_KEY": "  "})


@pytest.mark.parametrize(
    "host",
    [
        "http://127.0.0.1:8123",
        "http://127.9.8.7",
        "http://localhost:5000/",
        "http://[::1]:8080",
        "https://api-in21.leadsquared.com",
        "https://api.leadsquared.com/",
    ],
)
def test_safe_hosts_are_accepted(host: str) -> None:
    assert check_host(host) == host.rstrip("/")


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("http://api-in21.leadsquared.com", "unencrypted"),
        ("http://10.0.0.5:8080", "unencrypted"),
        ("http://localhost.example.com", "unencrypted"),
        ("ftp://api.leadsquared.com", "web address"),
        ("api-in21.leadsquared.com", "web address"),
        ("https://", "web address"),
        ("https://user:pw@api.leadsquared.com", "only scheme and host"),
        ("https://api.leadsquared.com/?accessKey=x", "only scheme and host"),
        # A path would be put in front of every endpoint: "No such API" for every row.
        ("https://api-in21.leadsquared.com/api/v2", "without a path such as '/api/v2'"),
        ("http://127.0.0.1:8123/v2/", "without a path such as '/v2/'"),
    ],
)
def test_unsafe_or_wrong_hosts_are_refused(host: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        load_settings(environ={**ENV, "LSQ_HOST": host})


@pytest.mark.parametrize("value", ["abc", "0", "-5", "99999"])
def test_nonsense_timeouts_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="LSQ_TIMEOUT"):
        load_settings(environ={**ENV, "LSQ_TIMEOUT": value})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="hots"):
        load_settings(environ=ENV, hots="https://x.leadsquared.com")


def test_loopback_detection() -> None:
    assert is_loopback("localhost")
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert not is_loopback("128.0.0.1")
    assert not is_loopback("example.com")


keys = st.text(min_size=1, max_size=40)


@given(access=keys, secret=keys, other_secret=keys)
def test_repr_does_not_depend_on_the_secret_keys(
    access: str, secret: str, other_secret: str
) -> None:
    one = Settings("https://api.leadsquared.com", access, secret, api_key=secret)
    two = Settings("https://api.leadsquared.com", access, other_secret, api_key=other_secret)
    assert repr(one) == repr(two) == str(one)


@given(
    prefix=st.text(min_size=8, max_size=40),
    other_prefix=st.text(min_size=8, max_size=40),
    tail=st.text(min_size=4, max_size=4),
)
def test_repr_shows_at_most_the_last_4_characters_of_the_access_key(
    prefix: str, other_prefix: str, tail: str
) -> None:
    one = Settings("https://api.leadsquared.com", prefix + tail, "s")
    two = Settings("https://api.leadsquared.com", other_prefix + tail, "s")
    assert repr(one) == repr(two)


@given(short=st.text(max_size=11), other=st.text(max_size=11))
def test_repr_shows_nothing_of_a_short_access_key(short: str, other: str) -> None:
    one = Settings("https://api.leadsquared.com", short, "s")
    assert repr(one) == repr(Settings("https://api.leadsquared.com", other, "s"))


def test_repr_shows_the_host_and_a_hint_of_the_access_key() -> None:
    text = repr(load_settings(environ=ENV))
    assert "api-in21.leadsquared.com" in text
    assert "***XYZ9" in text
    assert SECRET not in text
    assert "0123456789" not in text
