"""A local LeadSquared-compatible API server for rehearsals and tests (`lsq-import sandbox`).

Layers, each a module: ``options`` (settings and their text formats) · ``account`` (the
account YAML) · ``state`` (leads and opportunities in SQLite) · ``rules`` (what the account
refuses) · ``endpoints_*`` (one module per family of endpoints) · ``ratelimit`` · ``faults`` ·
``stats`` · ``app`` (routing, auth, limits, faults; no HTTP) · ``server`` (HTTP) · ``cli`` ·
``testing`` (the pytest plugin and ``running_sandbox``).
"""

from importer.sandbox.options import SandboxOptions

__all__ = ["SandboxOptions"]
