"""Secrets kept out of the libraries' log records.

urllib3 logs every request line at DEBUG, its URL included: for a server that takes its key
in the query string (Noojee's ``apiKey``) that is the key. While :func:`scrubbed_logs` is
open, a filter on those loggers rewrites each record with the secrets replaced by ``***``
before any handler sees it. (A logger's filters only see records made by that logger, so
each one is named.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LIBRARY_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
    "requests",
)


class ScrubSecrets(logging.Filter):
    """Rewrites a record whose text holds a secret; drops nothing."""

    def __init__(self, scrub: Callable[[str], str]) -> None:
        super().__init__()
        self._scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = self._scrub(text)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


@contextmanager
def scrubbed_logs(scrub: Callable[[str], str]) -> Iterator[None]:
    """The library loggers scrub their records with ``scrub`` until this exits."""
    guard = ScrubSecrets(scrub)
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    for logger in loggers:
        logger.addFilter(guard)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(guard)
