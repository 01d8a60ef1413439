"""LeadSquared's clock, as its replies tell it (the HTTP ``Date`` header).

Reconciliation compares an opportunity's ``CreatedOn`` (the server's clock) with the moment
a row was sent. Reading that moment from the server's own clock, not this machine's, means
a laptop whose clock is minutes off never mistakes an old opportunity for a new one.
"""

from __future__ import annotations

import threading
import time
from email.utils import parsedate_to_datetime


class ServerClock:
    """The offset between the server's clock and ours, from the latest reply's ``Date``."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def observe(self, date_header: str | None, received_at: float) -> None:
        """Learn from one reply's ``Date`` header (to the second), received at ``received_at``
        (our ``time.time()``)."""
        if not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return
        with self._lock:
            # Date is truncated to the second: the server's true time is up to 1 s later.
            self._offset = server + 0.5 - received_at

    def now(self) -> float:
        """The server's time now, in epoch seconds (ours until a reply was seen)."""
        with self._lock:
            return time.time() + self._offset
