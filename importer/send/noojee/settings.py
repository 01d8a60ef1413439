"""Connection settings for Noojee Contact: the server and its API key, like LeadSquared's
(:mod:`importer.settings`): keyword overrides, then the ``--config`` file, then the
environment — ``NOOJEE_HOST``, ``NOOJEE_API_KEY``, optionally ``NOOJEE_TIMEOUT`` and
``NOOJEE_CONNECT_TIMEOUT`` (seconds).

Noojee takes its key as the ``apiKey`` *query parameter*, so the key is part of every
request's URL: every message, log line and file must pass through :meth:`scrub`.
Noojee queues an insert or update for up to 60 seconds before answering 109, so the read
timeout must be longer than that, or a queued request would look lost (ambiguous).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from importer.errors import ConfigError
from importer.settings import check_host, mask, read_env_file, scrub_secrets

ENV_NAMES = {
    "host": "NOOJEE_HOST",
    "api_key": "NOOJEE_API_KEY",
    "timeout": "NOOJEE_TIMEOUT",
    "connect_timeout": "NOOJEE_CONNECT_TIMEOUT",
}
QUEUE_S = 60.0  # the longest Noojee keeps a request queued before answering 109
_EXAMPLE = "https://yourcompany.noojee.com.au"


@dataclass(frozen=True)
class NoojeeSettings:
    """Everything the Noojee client needs. ``repr`` never shows the key."""

    host: str  # scheme://host[:port], no trailing slash
    api_key: str
    timeout: float = 90.0  # read timeout (seconds): more than Noojee's 60 s queue
    connect_timeout: float = 5.0

    def __repr__(self) -> str:
        return (
            f"NoojeeSettings(host={self.host!r}, api_key={mask(self.api_key)!r}, "
            f"timeout={self.timeout}, connect_timeout={self.connect_timeout})"
        )

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,)

    def scrub(self, text: str) -> str:
        """``text`` with the key (plain or URL-encoded) replaced by ``***``."""
        return scrub_secrets(text, self.secrets())


def load_noojee_settings(
    config: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    **overrides: str | float | None,
) -> NoojeeSettings:
    """NoojeeSettings from overrides, then the ``--config`` file, then the environment;
    a ConfigError (exit 2) names what is missing or unsafe."""
    unknown = set(overrides) - set(ENV_NAMES)
    if unknown:
        raise ConfigError(f"Unknown Noojee setting(s): {', '.join(sorted(unknown))}.")
    from_file = read_env_file(config) if config is not None else {}
    values: dict[str, str] = {}
    for name, env_name in ENV_NAMES.items():
        for candidate in (overrides.get(name), from_file.get(env_name), environ.get(env_name)):
            if candidate is not None and str(candidate).strip():
                values[name] = str(candidate).strip()
                break
    missing = [ENV_NAMES[n] for n in ("host", "api_key") if n not in values]
    if missing:
        where = f"the environment or the config file {config}" if config else "the environment"
        raise ConfigError(
            f"{' and '.join(missing)} not set: the mapping sends to Noojee Contact; put "
            f"{'them' if len(missing) > 1 else 'it'} in {where} (Noojee Support issues the "
            "API key for your server)."
        )
    return NoojeeSettings(
        host=check_host(values["host"], "NOOJEE_HOST", _EXAMPLE),
        api_key=values["api_key"],
        timeout=_seconds(values, "timeout", 90.0, more_than=QUEUE_S),
        connect_timeout=_seconds(values, "connect_timeout", 5.0),
    )


def _seconds(values: Mapping[str, str], name: str, default: float, more_than: float = 0) -> float:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not more_than < seconds < 3600:
        why = f" more than {more_than:g} (Noojee queues a request up to a minute)"
        raise ConfigError(
            f"{ENV_NAMES[name]} must be a number of seconds{why if more_than else ''}, got {raw!r}."
        )
    return seconds
