#!/usr/bin/env python3
"""End-to-end self test of the harness: starts moto_server.py and
fault_proxy.py on free ports, seeds `demo`, then checks through the proxy
with boto3 that faults surface with the right error codes.

Usage: selftest.py            (run with the venv python from setup.sh)
Exit status 0 = all checks passed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
NORETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=30)


def start(args: list[str], port_file: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, *args, "--port", "0", "--port-file", port_file],
                         stdout=subprocess.DEVNULL, stderr=sys.stderr)
    for _ in range(300):
        if os.path.exists(port_file):
            return p
        if p.poll() is not None:
            raise SystemExit(f"{args[0]} exited with {p.returncode}")
        time.sleep(0.05)
    p.kill()
    raise SystemExit(f"{args[0]} did not write its port file")


def post(url: str, obj) -> dict:
    req = urllib.request.Request(url, data=json.dumps(obj).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="alertpath-selftest-")
    mp, pp = os.path.join(tmp, "moto.port"), os.path.join(tmp, "proxy.port")
    t = time.time()
    moto = start([os.path.join(HERE, "moto_server.py")], mp)
    moto_url = f"http://127.0.0.1:{open(mp).read().strip()}"
    proxy = start([os.path.join(HERE, "fault_proxy.py"), "--upstream", moto_url], pp)
    purl = f"http://127.0.0.1:{open(pp).read().strip()}"
    print(f"servers up in {time.time() - t:.1f}s: moto {moto_url} proxy {purl}")
    failures = []

    def check(name, cond, detail=""):
        print(("ok   " if cond else "FAIL ") + name + (f"  ({detail})" if detail else ""))
        if not cond:
            failures.append(name)

    def code_of(fn):
        try:
            fn()
            return None
        except ClientError as e:
            return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]

    try:
        out = subprocess.run([sys.executable, os.path.join(HERE, "seed.py"), "--endpoint", moto_url, "demo"],
                             check=True, capture_output=True, text=True)
        m = json.loads(out.stdout)
        ids = {a["name"]: a["id"] for a in m["accounts"]}
        post(purl + "/_fault/rules", m["faults"])
        mk = dict(endpoint_url=purl, aws_access_key_id="test", aws_secret_access_key="test", config=NORETRY)
        sts = boto3.client("sts", region_name="us-east-1", **mk)
        c = code_of(lambda: sts.assume_role(RoleArn=f"arn:aws:iam::{ids['legacy']}:role/alertpath-audit",
                                            RoleSessionName="alertpath"))
        check("demo fault: AssumeRole into legacy denied", c == ("AccessDenied", 403), str(c))
        cr = sts.assume_role(RoleArn=f"arn:aws:iam::{ids['security']}:role/alertpath-audit",
                             RoleSessionName="alertpath")["Credentials"]
        keys = json.load(urllib.request.urlopen(purl + "/_fault/keys"))
        check("proxy learned assumed-role key", keys.get(cr["AccessKeyId"], {}).get("account") == ids["security"])
        sec = dict(endpoint_url=purl, aws_access_key_id=cr["AccessKeyId"], aws_secret_access_key=cr["SecretAccessKey"],
                   aws_session_token=cr["SessionToken"], config=NORETRY)
        S = ids["security"]
        post(purl + "/_fault/rules", [
            {"account": S, "service": "sns", "operation": "ListTopics", "kind": "throttle", "times": 1},
            {"account": S, "region": "eu-west-1", "service": "events", "operation": "ListRules", "kind": "access_denied"},
            {"account": S, "service": "guardduty", "operation": "ListMembers", "kind": "access_denied"},
            {"account": S, "service": "lambda", "operation": "GetFunctionConfiguration", "kind": "throttle"},
            {"account": S, "service": "cloudwatch", "operation": "DescribeAlarms", "kind": "access_denied"},
            {"account": S, "service": "account", "operation": "ListRegions", "kind": "http500", "times": 1},
            {"account": S, "service": "logs", "operation": "DescribeMetricFilters", "kind": "delay", "seconds": 0.5},
            {"account": S, "service": "sns", "operation": "GetTopicAttributes", "kind": "access_denied"},
        ])
        sns = boto3.client("sns", region_name="us-east-1", **sec)
        c = code_of(sns.list_topics)
        check("sns throttle (query)", c == ("Throttling", 400), str(c))
        check("sns passes after times=1", code_of(sns.list_topics) is None)
        c = code_of(lambda: sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{S}:gd-pager"))
        check("sns access denied (query XML)", c == ("AccessDenied", 403), str(c))
        c = code_of(boto3.client("events", region_name="eu-west-1", **sec).list_rules)
        check("events access denied eu-west-1 (awsJson1_1)", c == ("AccessDeniedException", 403), str(c))
        c = code_of(boto3.client("events", region_name="us-east-1", **sec).list_rules)
        check("events us-east-1 untouched", c is None, str(c))
        gd = boto3.client("guardduty", region_name="us-east-1", **sec)
        det = gd.list_detectors()["DetectorIds"][0]
        c = code_of(lambda: gd.list_members(DetectorId=det))
        check("guardduty access denied (rest-json)", c == ("AccessDeniedException", 403), str(c))
        lam = boto3.client("lambda", region_name="us-east-1", **sec)
        c = code_of(lambda: lam.get_function_configuration(FunctionName="notify_slack"))
        check("lambda throttle 429", c == ("TooManyRequestsException", 429), str(c))
        c = code_of(boto3.client("cloudwatch", region_name="us-east-1", **sec).describe_alarms)
        check("cloudwatch access denied (rpc-v2-cbor via boto3)", c is not None and c[1] == 403 and "AccessDenied" in c[0], str(c))
        acct = boto3.client("account", region_name="us-east-1", **sec)
        c = code_of(acct.list_regions)
        check("account http500", c is not None and c[1] == 500, str(c))
        check("account ok after times=1", code_of(acct.list_regions) is None)
        t0 = time.time()
        boto3.client("logs", region_name="us-east-1", **sec).describe_metric_filters()
        check("logs delay 0.5s", time.time() - t0 >= 0.5, f"{time.time() - t0:.2f}s")
        # rpc-v2-cbor (what aws-sdk-cloudwatch for Rust sends): moto_server bridges it to JSON
        from botocore.parsers import RpcV2CBORParser

        def cbor_call(url, op):
            req = urllib.request.Request(
                f"{url}/service/GraniteServiceVersion20100801/operation/{op}", data=b"\xa0", method="POST",
                headers={"Content-Type": "application/cbor", "Accept": "application/cbor",
                         "smithy-protocol": "rpc-v2-cbor",
                         "Authorization": f"AWS4-HMAC-SHA256 Credential={cr['AccessKeyId']}/20260101/us-east-1/"
                                          "monitoring/aws4_request, SignedHeaders=host, Signature=00"})
            try:
                r = urllib.request.urlopen(req)
            except urllib.error.HTTPError as e:
                r = e
            p = RpcV2CBORParser()
            return r.status, p.parse_data_item(p.get_peekable_stream_from_bytes(r.read()))
        st, out = cbor_call(moto_url, "DescribeAlarms")
        names = sorted(a["AlarmName"] for a in out.get("MetricAlarms", []))
        check("cloudwatch rpc-v2-cbor DescribeAlarms bridged", st == 200 and "notify-slack-errors" in names, str(names))
        st, out = cbor_call(purl, "DescribeAlarms")  # the proxy rule denies it: CBOR error body
        check("proxy cbor error body", st == 403 and out.get("__type") == "AccessDenied", f"{st} {out}")
        stats = json.load(urllib.request.urlopen(purl + "/_fault/stats"))
        check("stats count faults", stats["faults_total"] >= 7, json.dumps(stats["faults"]))
        check("stats per operation", stats["requests"].get("sns.ListTopics") == 2, json.dumps(stats["requests"]))
        post(purl + "/_fault/reset", {})
        check("reset clears rules", code_of(lambda: gd.list_members(DetectorId=det)) is None)
        # demo facts
        mem = gd.list_members(DetectorId=det)["Members"]
        check("demo: data-prod not a member in us-east-1", ids["data-prod"] not in [x["AccountId"] for x in mem])
        gde = boto3.client("guardduty", region_name="eu-west-1", **sec)
        dete = gde.list_detectors()["DetectorIds"][0]
        check("demo: eu-west-1 auto-enable NEW",
              gde.describe_organization_configuration(DetectorId=dete)["AutoEnableOrganizationMembers"] == "NEW")
        env = boto3.client("lambda", region_name="eu-west-1", **sec).get_function_configuration(
            FunctionName="notify_slack")["Environment"]["Variables"]["SLACK_WEBHOOK_URL"]
        check("demo: plaintext webhook planted", "SECRETLEAKMARKER" in env)
    finally:
        for p in (proxy, moto):
            p.terminate()
        for p in (proxy, moto):
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    check("port files removed on SIGTERM", not os.path.exists(mp) and not os.path.exists(pp))
    print(json.dumps({"failed": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
