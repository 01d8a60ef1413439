"""How many requests a second the sandbox serves on loopback with no latency configured.

Starts `lsq-import sandbox` as a subprocess (as a user would: the clients here must not
share its interpreter lock), then sends a mix of Bulk adds and metadata reads from many
concurrent clients. Prints figures; the last line is ``RESULT requests_per_s=<n>``
(the issue asks for at least 500).

    python benchmarks/sandbox_bench.py [--clients 16] [--requests 4000]
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from bench_support import sandbox_process

SVC = "/v2/OpportunityManagement.svc"
CAMPUSES = ["Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online"]


def bulk_item(n: int) -> dict[str, Any]:
    return {
        "SearchByValue": "sandbox.lead@example.com",
        "OpportunityEventCode": 12000,
        "Fields": [
            {"SchemaName": "Status", "Value": "Open"},
            {"SchemaName": "mx_Custom_1", "Value": f"Bench enquiry {n}"},
            {"SchemaName": "mx_Custom_3", "Value": "MBA"},
            {"SchemaName": "mx_Custom_4", "Value": CAMPUSES[n % len(CAMPUSES)]},
            {"SchemaName": "mx_Custom_19", "Value": "benchmark"},
        ],
    }


class Client:
    """One keep-alive connection per thread, as a real importer would hold."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            session = requests.Session()
            session.headers.update(
                {
                    "x-LSQ-AccessKey": self.env["LSQ_ACCESS_KEY"],
                    "x-LSQ-SecretKey": self.env["LSQ_SECRET_KEY"],
                }
            )
            self.local.session = session
        return self.local.session  # type: ignore[no-any-return]

    def call(self, n: int) -> int:
        host = self.env["LSQ_HOST"]
        if n % 2:
            reply = self.session().get(host + SVC + "/GetOpportunityTypes", timeout=30)
        else:
            reply = self.session().post(
                host + SVC + "/Bulk/Add/ByLeadField?SearchBy=EmailAddress",
                json=[bulk_item(n)],
                timeout=30,
            )
        return reply.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    with sandbox_process("--rate", "1000000/5s", "--no-duplicate-detection") as env:
        client = Client(env)
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(client.call, range(50)))  # warm up: connections and imports
            started = time.perf_counter()
            codes = list(pool.map(client.call, range(args.requests)))
            elapsed = time.perf_counter() - started
        stats = requests.get(env["LSQ_HOST"] + "/_sandbox/stats", timeout=30).json()
    failed = sum(1 for code in codes if code != 200)
    rate = args.requests / elapsed
    print(f"clients={args.clients} requests={args.requests} seconds={elapsed:.2f}")
    print(f"non_200={failed} opportunities={stats['total_opportunities']}")
    print(f"RESULT requests_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
