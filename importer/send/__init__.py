"""The send stage: send-ready rows -> requests at the account's rate -> one outcome per row.

payloads    row + request settings -> the JSON body of each endpoint
ratelimit   the account's calls-per-window, kept on our side
retry       backoff policy; what a send with no HTTP answer tells
classify    one HTTP answer -> data, try again, or a verdict (rejected / ambiguous / stop)
transport   the HTTP client: keys in headers, pacing, retries (HTTP only)
outcomes    LeadSquared's replies -> one RowOutcome per row, in words an admin can act on
reconcile   did an unclear write create the row's opportunity?
sender      the orchestration: batches, bisection, routing, reconciliation, the ledger

target async (LeadSquared's queue):
async_api       the async host's three endpoints: submit, status, metrics
async_outcomes  a finished request -> the row's outcome (as a Capture reply)
poll_schedule   when each queued request is polled, timed from the queue's own delay
follow          the follower: polls and look-ups beside the sender, committed as they come
async_send      the rounds: follow what is left, submit, follow, until every row has one
queue_tally     what its progress shows
"""
