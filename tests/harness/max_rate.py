#!/usr/bin/env python3
"""Measure the max call rate of an endpoint (moto_server.py or the proxy)
with K threads of cheap calls for N seconds.

  max_rate.py --endpoint URL [--seconds 10] [--threads 4] [--call sns.list_topics]
Prints {"calls":..,"errors":..,"seconds":..,"calls_per_s":..,"threads":..,"call":..}.
"""
import argparse
import json
import threading
import time

import boto3
from botocore.config import Config


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--call", default="sns.list_topics", help="service.method without arguments")
    ap.add_argument("--region", default="us-east-1")
    a = ap.parse_args()
    svc, meth = a.call.split(".", 1)
    cfg = Config(retries={"total_max_attempts": 1}, max_pool_connections=a.threads)
    clients = [boto3.Session().client(svc, region_name=a.region, endpoint_url=a.endpoint, config=cfg,
                                      aws_access_key_id="test", aws_secret_access_key="test")
               for _ in range(a.threads)]
    getattr(clients[0], meth)()  # warm-up
    counts = [0] * a.threads
    errors = [0] * a.threads
    start = time.time()
    deadline = start + a.seconds

    def work(i):
        f = getattr(clients[i], meth)
        while time.time() < deadline:
            try:
                f()
                counts[i] += 1
            except Exception:  # noqa: BLE001
                errors[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.time() - start
    print(json.dumps({"calls": sum(counts), "errors": sum(errors), "seconds": round(dt, 2),
                      "calls_per_s": round(sum(counts) / dt, 1), "threads": a.threads, "call": a.call}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
