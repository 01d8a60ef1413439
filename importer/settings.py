"""Connection settings: which LeadSquared host to talk to, with which keys, and how fast.

Where the values come from, strongest first:

1. keyword ``overrides`` given to :func:`load_settings` (command-line options);
2. the config file named with ``--config``;
3. the environment: ``LSQ_HOST``, ``LSQ_ACCESS_KEY``, ``LSQ_SECRET_KEY``, ``LSQ_API_KEY``,
   and optionally ``LSQ_ASYNC_HOST`` (see :func:`async_host`) and ``LSQ_TIMEOUT`` /
   ``LSQ_CONNECT_TIMEOUT`` (seconds).

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

from importer.errors import ConfigError

ENV_NAMES = {
    "host": "LSQ_HOST",
    "access_key": "LSQ_ACCESS_KEY",
    "secret_key": "LSQ_SECRET_KEY",
    "api_key": "LSQ_API_KEY",
    "async_host": "LSQ_ASYNC_HOST",
    "timeout": "LSQ_TIMEOUT",
    "connect_timeout": "LSQ_CONNECT_TIMEOUT",
}
_REQUIRED = ("host", "access_key", "secret_key")
SHORT_KEY = 8  # a key shorter than this is scrubbed only where it stands alone
_WHERE_KEYS = "LeadSquared shows them under Settings > API and Webhooks > API Access Keys"
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Settings:
    """Everything the HTTP client needs. ``repr`` never shows a key."""

    host: str  # scheme://host[:port], no trailing slash
    access_key: str
    secret_key: str
    api_key: str | None = None  # only the async API needs it
    async_host: str | None = None  # LSQ_ASYNC_HOST; None: derived from host (async_host())
    timeout: float = 30.0  # read timeout per request (seconds)
    connect_timeout: float = 5.0

    def __repr__(self) -> str:
        return (
            f"Settings(host={self.host!r}, access_key={mask(self.access_key)!r}, "
            f"secret_key='***', api_key={'***' if self.api_key else None!r}, "
            f"async_host={self.async_host!r}, timeout={self.timeout}, "
            f"connect_timeout={self.connect_timeout})"
        )

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """The values that must never appear in any message, log or file."""
        return tuple(s for s in (self.access_key, self.secret_key, self.api_key) if s)

    def scrub(self, text: str) -> str:
        """``text`` with every key replaced by ``***`` (see :func:`scrub_secrets`)."""
        return scrub_secrets(text, self.secrets())


def scrub_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (plain, or URL-encoded as in a path or a query string)
    replaced by ``***``.

    Used on anything that may echo a request: server error text, library exception text.
    Longest first, so a key that contains another is hidden whole. A key shorter than 8
    characters is hidden only where it stands alone: hidden everywhere, a key like ``Le``
    would turn "LeadSquared" into "***adSquared".
    """
    forms = {form for key in secrets if key for form in (key, quote(key, safe=""), quote_plus(key))}
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= SHORT_KEY:
            text = text.replace(form, "***")
        else:
            text = re.sub(rf"(?<![\w$]){re.escape(form)}(?![\w$])", "***", text)
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


def load_host(
    config: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    host: str | None = None,
) -> str:
    """Only the host (``host``, else the ``--config`` file's LSQ_HOST, else the
    environment's), checked like :func:`load_settings` does: for commands that read the
    account's ledger and need no keys (``lsq-import history``)."""
    from_file = read_env_file(config) if config is not None else {}
    value = _first_given(host, from_file.get(ENV_NAMES["host"]), environ.get(ENV_NAMES["host"]))
    if value is None or not str(value).strip():
        raise ConfigError(f"LSQ_HOST not set: put it in {_where(config)}, or give --host.")
    return check_host(str(value))


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


_HOST_EXAMPLES = {
    "LSQ_HOST": "https://api-in21.leadsquared.com",
    "LSQ_ASYNC_HOST": "https://asyncapi-in21.leadsquared.com",
}


def check_host(host: str, name: str = "LSQ_HOST", example: str | None = None) -> str:
    """The host URL without a trailing slash, or a ConfigError saying what is wrong with
    the setting ``name`` (``example``: a good value, when not LeadSquared's)."""
    parts = urlsplit(host.strip())
    example = f"for example {example or _HOST_EXAMPLES.get(name, _HOST_EXAMPLES['LSQ_HOST'])}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = redacted(host.strip())
        raise ConfigError(f"{name} must be a web address ({example}), got {shown!r}.")
    if parts.username or parts.password or parts.query or parts.fragment:
        # Credentials in the URL would end up in logs and error messages.
        raise ConfigError(f"{name} must be only scheme and host name ({example}).")
    if parts.path.strip("/"):
        # Every path the API has is added to the host: a path here makes every call a 404.
        raise ConfigError(
            f"{name} must be only scheme and host name, without a path such as "
            f"{parts.path!r} ({example})."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{name} uses plain http:// to {parts.hostname}: the API keys would travel "
            f"unencrypted. Use https:// ({example})."
        )
    return host.strip().rstrip("/")


def redacted(url: str) -> str:
    """``url`` without a user:password@ part, a query or a fragment: safe to echo."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else host or "(empty)"


# LeadSquared's API hosts by region (api, api-us11, api-in21, ...) and their async twins
# (asyncapi, asyncapi-us11, asyncapi-in21, ...). [doc]
_REGIONAL_HOST = re.compile(r"^api(-[a-z0-9]+)?\.leadsquared\.com$", re.I)


def async_host(settings: Settings) -> str:
    """The async API's host: ``LSQ_ASYNC_HOST`` when set, else the twin of ``LSQ_HOST``'s
    region (``api-in21.leadsquared.com`` -> ``asyncapi-in21.leadsquared.com``), else - for
    a loopback host, the sandbox, which serves both - ``LSQ_HOST`` itself."""
    if settings.async_host:
        return settings.async_host
    parts = urlsplit(settings.host)
    hostname = parts.hostname or ""
    if is_loopback(hostname):
        return settings.host
    if _REGIONAL_HOST.match(hostname):
        return f"https://async{hostname.lower()}"
    raise ConfigError(
        f"LSQ_ASYNC_HOST is not set and {settings.host} is not one of LeadSquared's regional "
        "hosts, so the async API's host cannot be told from it: set LSQ_ASYNC_HOST (for "
        "example https://asyncapi-in21.leadsquared.com for the host api-in21)."
    )


def is_loopback(hostname: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine."""
    if hostname.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _where(config: Path | None) -> str:
    return f"the environment or the config file {config}" if config else "the environment"


def _build(values: Mapping[str, str | float], config: Path | None) -> Settings:
    where = _where(config)
    missing = [ENV_NAMES[name] for name in _REQUIRED if not str(values.get(name, "")).strip()]
    if missing:
        hint = f" ({_WHERE_KEYS})" if missing != ["LSQ_HOST"] else ""
        them = "them" if len(missing) > 1 else "it"
        names = " and ".join([", ".join(missing[:-1]), missing[-1]] if missing[:-1] else missing)
        raise ConfigError(f"{names} not set: put {them} in {where}{hint}.")
    api_key = str(values.get("api_key", "")).strip() or None
    for name in ("access_key", "secret_key", "api_key"):
        _check_sendable(ENV_NAMES[name], str(values.get(name, "")).strip())
    chosen_async = str(values.get("async_host", "")).strip()
    return Settings(
        host=check_host(str(values["host"])),
        access_key=str(values["access_key"]).strip(),
        secret_key=str(values["secret_key"]).strip(),
        api_key=api_key,
        async_host=check_host(chosen_async, "LSQ_ASYNC_HOST") if chosen_async else None,
        timeout=_seconds(values, "timeout", 30.0),
        connect_timeout=_seconds(values, "connect_timeout", 5.0),
    )


def _check_sendable(name: str, key: str) -> None:
    """Keys travel in HTTP headers, which carry Latin-1 only: a key with another character
    was mistyped or pasted with something else (the message never shows it)."""
    try:
        key.encode("latin-1")
    except UnicodeEncodeError:
        raise ConfigError(
            f"{name} holds a character that cannot be sent to LeadSquared (not a letter, "
            "digit or sign of a real key); copy the key again from LeadSquared."
        ) from None


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
MAX_CALLS = 100_000  # per window: far above any plan, low enough to stay a sane number
MAX_WINDOW_S = 86_400.0


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
    if not 1 <= calls <= MAX_CALLS or not 0 < seconds <= MAX_WINDOW_S:
        raise ConfigError(
            f"--rate needs at least 1 call (and at most {MAX_CALLS}) in a window of more "
            f"than 0 seconds and at most a day; got {text!r}."
        )
    return Rate(calls, seconds)
