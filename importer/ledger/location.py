"""Where an account's ledger lives: one SQLite file per LeadSquared host, in the user's
state folder (``$XDG_STATE_HOME/lsq-import``, default ``~/.local/state/lsq-import``), so
every import into that account finds it whatever folder, file or ``--out`` it runs with.
``--ledger PATH`` or ``LSQ_LEDGER`` choose another file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ENV_NAME = "LSQ_LEDGER"


def state_folder(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "lsq-import"


def ledger_path(
    host: str, chosen: str | Path | None = None, environ: Mapping[str, str] = os.environ
) -> Path:
    """The ledger file for ``host``: ``chosen``, else ``LSQ_LEDGER``, else the default."""
    if chosen is not None:
        return Path(chosen)
    if environ.get(ENV_NAME):
        return Path(environ[ENV_NAME])
    return state_folder(environ) / f"{host_slug(host)}.sqlite"


def host_slug(host: str) -> str:
    """``https://api-in21.leadsquared.com`` -> ``api-in21.leadsquared.com``; a port stays
    (``127.0.0.1_8765``) so two sandboxes never share a ledger."""
    parts = urlsplit(host)
    name = parts.hostname or host
    if parts.port:
        name = f"{name}_{parts.port}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
