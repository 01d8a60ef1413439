"""Connection settings: which LeadSquared host to talk to, with which keys, and how fast.

Where the values come from, strongest first:

1. keyword ``overrides`` given to :func:`load_settings` (command-line options);
2. the config file named with ``--config``;
3. the environment: ``LSQ_HOST``, ``LSQ_ACCESS_KEY``, ``LSQ_SECRET_KEY``, ``LSQ_API_KEY``,
   and optionally ``LSQ_TIMEOUT`` / ``LSQ_CONNECT_TIMEOUT`` (seconds).

The file wins over the environment because the user named it for this run: a stale
``export LSQ_HOST=...`` left in a shell must not silently send rows to another account.
Keys the file does not set are still taken from the environment.

The config file is ``.env`` style, the format admins already meet in deployment guides::

    # lsq.env
    LSQ_HOST=https://api-in21.leadsquared.com
    LSQ_ACCESS_KEY=u$r0123456789abcdef
    LSQ_SECRET_KEY="0123456789abcdef0123456789abcdef"

Blank lines and ``#`` comments are ignored, ``export`` in front of a name is allowed and
values may be wrapped in single or double quotes. Nothing is interpolated: access keys
contain ``$`` and must arrive exactly as written.

Plain ``http://`` is refused except to the loopback interface (the local sandbox): keys
travel in request headers and must never cross a network in clear text.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from importer.errors import ConfigError

ENV_NAMES = {
    "host": "LSQ_HOST",
    "access_key": "LSQ_ACCESS_KEY",
    "secret_key": "LSQ_SECRET_KEY",
    "api_key": "LSQ_API_KEY",
    "timeout": "LSQ_TIMEOUT",
    "connect_timeout": "LSQ_CONNECT_TIMEOUT",
}
_REQUIRED = ("host", "access_key", "secret_key")
_WHERE_KEYS = "LeadSquared shows them under Settings > API and Webhooks > API Access Keys"
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Settings:
    """Everything the HTTP client needs. ``repr`` never shows a key."""

    host: str  # scheme://host[:port], no trailing slash
    access_key: str
    secret_key: str
    api_key: str | None = None  # only the async API needs it
    timeout: float = 30.0  # read timeout per request (seconds)
    connect_timeout: float = 5.0

    def __repr__(self) -> str:
        return (
            f"Settings(host={self.host!r}, access_key={mask(self.access_key)!r}, "
            f"secret_key='***', api_key={'***' if self.api_key else None!r}, "
            f"timeout={self.timeout}, connect_timeout={self.connect_timeout})"
        )

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in any message, log or file."""
        return tuple(s for s in (self.access_key, self.secret_key, self.api_key) if s)

    def scrub(self, text: str) -> str:
        """``text`` with every key (plain or URL-encoded) replaced by ``***``.

        Used on anything that may echo a request: server error text, library exception
        text. Longest first, so a key that contains another is hidden whole.
        """
        forms = {form for key in self.secrets() for form in (key, quote(key, safe=""))}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
        return text


def mask(key: str) -> str:
    """At most the last 4 characters of a key, so a user can tell which key is in use."""
    return "***" + key[-4:] if len(key) >= 12 else "***"


def load_settings(
    config: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    **overrides: str | float | None,
) -> Settings:
    """Settings from overrides, then the ``--config`` file, then the environment.

    Raises :class:`ConfigError` (exit 2) when the host or a key is missing, or the host
    is not a safe ``https://`` URL (``http://`` only to loopback).
    """
    unknown = set(overrides) - set(ENV_NAMES)
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    from_file = read_env_file(config) if config is not None else {}
    values: dict[str, str | float] = {}
    for name, env_name in ENV_NAMES.items():
        value = _first_given(overrides.get(name), from_file.get(env_name), environ.get(env_name))
        if value is not None:
            values[name] = value
    return _build(values, config)


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` pairs of a ``.env`` style file; a ConfigError names the bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: Notepad's BOM must not break line 1
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"Cannot read the config file {path}: {reason}.") from None
    pairs: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(
                f"Config file {path}, line {number}: expected NAME=value "
                f"(for example LSQ_HOST=https://api-in21.leadsquared.com)."
            )
        pairs[match.group(1)] = _unquote(match.group(2).strip())
    return pairs


def check_host(host: str) -> str:
    """The host URL without a trailing slash, or a ConfigError saying what is wrong."""
    parts = urlsplit(host.strip())
    example = "for example https://api-in21.leadsquared.com"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"LSQ_HOST must be a web address ({example}), got {host.strip()!r}.")
    if parts.username or parts.password or parts.query or parts.fragment:
        # Credentials in the URL would end up in logs and error messages.
        raise ConfigError(f"LSQ_HOST must be only scheme and host name ({example}).")
    if parts.path.strip("/"):
        # The endpoints' paths are added to it: a path here makes every call "No such API".
        raise ConfigError(
            f"LSQ_HOST must be only scheme and host name, without the path {parts.path!r} "
            f"({example})."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"LSQ_HOST uses plain http:// to {parts.hostname}: the API keys would travel "
            f"unencrypted. Use https:// ({example})."
        )
    return host.strip().rstrip("/")


def is_loopback(hostname: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine."""
    if hostname.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _build(values: Mapping[str, str | float], config: Path | None) -> Settings:
    where = f"the environment or the config file {config}" if config else "the environment"
    missing = [ENV_NAMES[name] for name in _REQUIRED if not str(values.get(name, "")).strip()]
    if missing:
        hint = f" ({_WHERE_KEYS})" if missing != ["LSQ_HOST"] else ""
        them = "them" if len(missing) > 1 else "it"
        names = " and ".join([", ".join(missing[:-1]), missing[-1]] if missing[:-1] else missing)
        raise ConfigError(f"{names} not set: put {them} in {where}{hint}.")
    api_key = str(values.get("api_key", "")).strip() or None
    return Settings(
        host=check_host(str(values["host"])),
        access_key=str(values["access_key"]).strip(),
        secret_key=str(values["secret_key"]).strip(),
        api_key=api_key,
        timeout=_seconds(values, "timeout", 30.0),
        connect_timeout=_seconds(values, "connect_timeout", 5.0),
    )


def _seconds(values: Mapping[str, str | float], name: str, default: float) -> float:
    raw = values.get(name)
    if raw is None or raw == "":
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 3600:
        raise ConfigError(f"{ENV_NAMES[name]} must be a number of seconds, got {raw!r}.")
    return seconds


def _first_given(*candidates: str | float | None) -> str | float | None:
    return next((c for c in candidates if c is not None and c != ""), None)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()  # an unquoted value may carry a trailing comment


_RATE = re.compile(
    r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?|\.\d+)\s*(s|sec|secs|seconds?|m|min|minutes?)?\s*$", re.I
)


@dataclass(frozen=True)
class Rate:
    """At most ``calls`` request starts in any ``seconds``-long window."""

    calls: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.calls}/{self.seconds:g}s"


DEFAULT_RATE = Rate(25, 5.0)


def parse_rate(text: str) -> Rate:
    """``"25/5s"``, ``"10/5"``, ``"1/5s"``, ``"100/1m"`` → :class:`Rate`; ConfigError otherwise."""
    match = _RATE.match(text)
    if match is None:
        raise ConfigError(
            f"--rate must be calls per time, like 25/5s (25 calls every 5 seconds); got {text!r}."
        )
    calls, seconds, unit = int(match.group(1)), float(match.group(2)), match.group(3) or "s"
    if unit.lower().startswith("m"):
        seconds *= 60
    if calls < 1 or seconds <= 0:
        raise ConfigError(f"--rate needs at least 1 call in more than 0 seconds; got {text!r}.")
    return Rate(calls, seconds)
