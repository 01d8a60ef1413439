"""The send stage: send-ready rows -> requests at the account's rate -> one outcome per row.

payloads    row + request settings -> the JSON body of each endpoint
ratelimit   the account's calls-per-window, kept on our side
retry       backoff policy; what a send with no HTTP answer tells
classify    one HTTP answer -> data, try again, or a verdict (rejected / ambiguous / stop)
transport   the HTTP client: keys in headers, pacing, retries (HTTP only)
outcomes    LeadSquared's replies -> one RowOutcome per row, in words an admin can act on
reconcile   did an unclear write create the row's opportunity?
sender      the orchestration: batches, bisection, routing, reconciliation, the journal
"""
