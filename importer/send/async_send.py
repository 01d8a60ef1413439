"""Target ``async`` from start to end: the sender submits the rows, the follower collects
their outcomes, in rounds until every row has one.

1. what earlier runs left is followed first: queued requests are polled (never resent),
   rows sent without a RequestID are looked up once the queue had time for them;
2. the pending rows are submitted (:func:`importer.send.sender.send`, one row per request,
   at the account's rate) while the follower polls what the queue accepted;
3. rows a look-up proved absent are pending again: another round sends them.

``wait=False`` (``--no-wait``) leaves the queued requests to a later run (or `lsq-import
status`); it still settles every unclear row, so each row ends queued or with an outcome.
``submit=False`` (`lsq-import status`) sends nothing: it only collects.
"""

from __future__ import annotations

import threading
from collections import Counter

from importer.ledger import LedgerRun
from importer.model import Outcome
from importer.send.async_api import AsyncApi, QueueMetrics
from importer.send.follow import Follower
from importer.send.payloads import SendSettings
from importer.send.sender import MAX_ATTEMPTS, Progress, SendClient, send

# Each round resends only rows proven absent, which give up after MAX_ATTEMPTS.
MAX_ROUNDS = MAX_ATTEMPTS + 2


def send_async(
    run: LedgerRun,
    client: SendClient,
    api: AsyncApi,
    settings: SendSettings,
    metrics: QueueMetrics,
    *,
    workers: int = 16,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    wait: bool = True,
    submit: bool = True,
) -> Counter[Outcome]:
    """Submit ``run``'s pending rows and follow them (see the module docstring); returns
    the run's rows by state. Errors that stop the run are raised once what was learnt is
    committed; queued rows stay queued for the next run."""
    stop = stop or threading.Event()
    follower = Follower(
        run,
        api,
        client,
        settings,
        metrics,
        stop=stop,
        progress=progress,
        poll=wait,
        workers=min(8, max(1, workers)),
    )
    follower.resume()
    with follower.running():
        for _ in range(MAX_ROUNDS):
            follower.wait_unclear()  # nothing is resent before it is proven absent
            if not submit or stop.is_set() or not run.state_counts().get(Outcome.PENDING):
                break
            send(run, client, settings, target="async", workers=workers, stop=stop, queue=follower)
        if wait:
            follower.wait_all()
    if follower.fatal is not None:
        raise follower.fatal
    return run.state_counts()
