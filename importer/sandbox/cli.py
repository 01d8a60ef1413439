"""``lsq-import sandbox``: parse the options, start the server, print the lines a shell
(or another process) needs (LeadSquared's four, then Noojee's two), serve until Ctrl-C or
SIGTERM."""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from importer.sandbox.app import Sandbox
from importer.sandbox.options import (
    JOB_FAULTS,
    MAX_BODY_BYTES,
    NOOJEE_BATCH_MODES,
    STATUS_FAULTS,
    WRITE_FAULTS,
    SandboxOptions,
    parse_duration,
)
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS
from importer.sandbox.server import SandboxServer

_FAULTS_HELP = (
    "Fault probabilities, e.g. 500:0.05,reset:0.02,applied500:0.02. Per write call: "
    f"{', '.join(WRITE_FAULTS)}; per async status poll: {', '.join(STATUS_FAULTS)}; per "
    f"queued async request: {', '.join(JOB_FAULTS)} (see importer/sandbox/faults.py)."
)
_WORDINGS_HELP = "How a missing lead is reported: " + "; ".join(
    f"{n} = {w.exception_type or 'no ExceptionType'}: {w.template!r}"
    for n, w in enumerate(LEAD_NOT_FOUND_WORDINGS)
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--allow-remote", is_flag=True, help="Allow a host other than loopback (not for real data)."
)
@click.option(
    "--account",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Account YAML (default: sample_data/sandbox_account.yaml).",
)
@click.option("--rate", default="25/5s", show_default=True, help="Calls allowed per window.")
@click.option(
    "--rate-status",
    type=click.Choice(["429", "403"]),
    default="429",
    show_default=True,
    help="HTTP status for calls over the limit (some accounts answer 403).",
)
@click.option("--latency", help="Delay per request, e.g. 300ms±150ms.")
@click.option("--faults", help=_FAULTS_HELP)
@click.option("--seed", default=0, show_default=True, help="Seed for faults, latency and order.")
@click.option("--shuffle", is_flag=True, help="Return Bulk results in a random order.")
@click.option(
    "--ambiguous-delay",
    default="3s",
    show_default=True,
    help="How long an 'ambiguous' write holds its reply before dropping the connection.",
)
@click.option(
    "--bulk-all-or-nothing", is_flag=True, help="One bad Bulk item fails the whole request."
)
@click.option("--no-duplicate-detection", is_flag=True, help="Let duplicate opportunities in.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep leads and opportunities in this SQLite file (default: memory).",
)
@click.option(
    "--noojee-account",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Noojee Contact account YAML: campaigns, DNC list, leads "
    "(default: sample_data/noojee_account.yaml).",
)
@click.option(
    "--noojee-batch",
    type=click.Choice(NOOJEE_BATCH_MODES),
    default="all_or_nothing",
    show_default=True,
    help="Noojee batches: the first bad lead refuses the whole request; or the leads before "
    "it are applied; or every lead gets its own code in the reply.",
)
@click.option(
    "--noojee-max-concurrent",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Noojee requests processed at once; more wait in a queue.",
)
@click.option(
    "--noojee-queue",
    default="60s",
    show_default=True,
    help="How long a queued Noojee request waits before answering 109 (too many requests).",
)
@click.option(
    "--noojee-faults",
    help="Fault probabilities per Noojee request, e.g. busy:0.05,500:0.02,applied500:0.02,"
    "reset:0.01,ambiguous:0.01.",
)
@click.option(
    "--noojee-conflict",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Probability that a Noojee update finds the lead open in a person's screen (110).",
)
@click.option(
    "--strict-lookups/--lenient-lookups",
    default=True,
    show_default=True,
    help="Look-ups take only LeadSquared's documented bodies, answer flat items and page "
    "(at most 50 a page); lenient also answers the sandbox's old bodies (SearchBy…, or "
    "none) the old way.",
)
@click.option(
    "--server-form-values/--values-as-sent",
    default=True,
    show_default=True,
    help="Store and return values as LeadSquared does: dates with a time, numbers with two "
    "decimals, phones as +91-…, booleans as 1/0.",
)
@click.option(
    "--lead-not-found-wording",
    type=click.IntRange(0, len(LEAD_NOT_FOUND_WORDINGS) - 1),
    default=0,
    show_default=True,
    help=_WORDINGS_HELP,
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=MAX_BODY_BYTES,
    show_default=True,
    help="Larger request bodies are refused with HTTP 413.",
)
@click.option(
    "--async-delay",
    default="200ms",
    show_default=True,
    help="How long an async capture stays queued, e.g. 2s±1s (seeded jitter).",
)
@click.option(
    "--async-ttl",
    help="Forget finished async requests this long after they finish (their status is then "
    "a 404), e.g. 600s; default: never.",
)
def sandbox(
    host: str,
    port: int,
    allow_remote: bool,
    account: Path | None,
    rate: str,
    rate_status: str,
    latency: str | None,
    faults: str | None,
    seed: int,
    shuffle: bool,
    ambiguous_delay: str,
    bulk_all_or_nothing: bool,
    no_duplicate_detection: bool,
    state: Path | None,
    noojee_account: Path | None,
    noojee_batch: str,
    noojee_max_concurrent: int,
    noojee_queue: str,
    noojee_faults: str | None,
    noojee_conflict: float,
    strict_lookups: bool,
    server_form_values: bool,
    lead_not_found_wording: int,
    max_body_bytes: int,
    async_delay: str,
    async_ttl: str | None,
) -> None:
    """Run a local LeadSquared-compatible API server for rehearsals and tests.

    The same server answers Noojee Contact's insertLeadFast and updateLeadFast
    (/servicemanager/rest/CampaignAPI/...) with its own key (NOOJEE_API_KEY)."""
    options = SandboxOptions(
        rate=rate,
        rate_status=int(rate_status),
        latency=latency,
        faults=faults,
        seed=seed,
        shuffle=shuffle,
        account=account,
        ambiguous_delay=parse_duration(ambiguous_delay, "--ambiguous-delay"),
        bulk_all_or_nothing=bulk_all_or_nothing,
        duplicate_detection=False if no_duplicate_detection else None,
        state=state,
        noojee_account=noojee_account,
        noojee_batch=noojee_batch,
        noojee_max_concurrent=noojee_max_concurrent,
        noojee_queue_s=parse_duration(noojee_queue, "--noojee-queue"),
        noojee_faults=noojee_faults,
        noojee_conflict=noojee_conflict,
        strict_lookups=strict_lookups,
        server_form_values=server_form_values,
        lead_not_found_wording=lead_not_found_wording,
        max_body_bytes=max_body_bytes,
        async_delay=async_delay,
        async_ttl=parse_duration(async_ttl, "--async-ttl") if async_ttl else None,
    )
    server = SandboxServer(Sandbox(options), host, port, allow_remote)
    keys = server.app.account.keys
    # Quoted for a shell (an access key holds a '$'); `--config` reads these lines as they are.
    click.echo(f"LSQ_HOST={shlex.quote(server.url)}")
    click.echo(f"LSQ_ACCESS_KEY={shlex.quote(keys.access_key)}")
    click.echo(f"LSQ_SECRET_KEY={shlex.quote(keys.secret_key)}")
    click.echo(f"LSQ_API_KEY={shlex.quote(keys.api_key)}")
    click.echo(f"NOOJEE_HOST={shlex.quote(server.url)}")
    click.echo(f"NOOJEE_API_KEY={shlex.quote(server.app.noojee.account.api_key)}")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the server the same way as Ctrl-C
