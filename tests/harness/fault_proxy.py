#!/usr/bin/env python3
"""Fault-injecting reverse proxy for AWS API traffic (stdlib only).

  fault_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--host 127.0.0.1]
                 [--port 0] [--port-file F] [--rules rules.json] [--log]

Control API (served by the proxy itself; never forwarded):
  POST /_fault/rules   JSON list of rules; replaces the rules (?append=1 adds)
  GET  /_fault/rules   current rules with their remaining counts
  POST /_fault/reset   clear rules and stats (learned access keys are kept)
  GET  /_fault/stats   request and fault counters (also by caller account, and by
                       principal ARN with the role ARNs each principal assumed)
  GET  /_fault/keys    learned access key -> account / principal ARN

Rule (every field optional except kind; absent field = match anything):
  {"account": "111122223333",   # caller account (learned from AssumeRole responses)
   "role_account": "...",       # sts AssumeRole only: account of the RoleArn asked for
   "region": "eu-west-1", "service": "sns", "operation": "ListTopics",
   "kind": "access_denied" | "throttle" | "delay" | "http500",
   "times": 2,                  # only the first N matching requests
   "seconds": 1.5,              # delay only (then the request passes through)
   "code": "AuthorizationError", "status": 403, "message": "..."}   # overrides
service is the SigV4 signing name, with aliases: cloudwatch = monitoring,
eventbridge = events.  Rules are tried in order; the first match wins.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_ACCOUNT = "123456789012"
SERVICE_ALIASES = {"monitoring": "cloudwatch", "eventbridge": "events"}
IAM_PREFIX = {"cloudwatch": "cloudwatch", "account": "account"}
QUERY_SERVICES = {"sts", "sns", "cloudwatch", "iam", "sqs", "ec2", "rds", "autoscaling", "elasticloadbalancing"}
REST_JSON_SERVICES = {"guardduty", "lambda", "account", "securityhub"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}

_CRED_RE = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")
_ID = r"[^/]+"


def _routes(table):
    out = []
    for method, pattern, op in table:
        rx = re.sub(r"\{[A-Za-z]+\+\}", ".+", pattern)  # greedy label: an ARN with slashes
        rx = "^" + re.sub(r"\{[A-Za-z]+\}", _ID, rx) + "/?$"
        out.append((method, re.compile(rx), op))
    return out


# method, path, operation: the rest-json operations alertpath (and seeding) use
REST_ROUTES = {
    "guardduty": _routes([
        ("GET", "/detector", "ListDetectors"), ("POST", "/detector", "CreateDetector"),
        ("GET", "/detector/{id}", "GetDetector"), ("POST", "/detector/{id}", "UpdateDetector"),
        ("DELETE", "/detector/{id}", "DeleteDetector"),
        ("GET", "/detector/{id}/administrator", "GetAdministratorAccount"),
        ("GET", "/detector/{id}/master", "GetMasterAccount"),
        ("GET", "/detector/{id}/member", "ListMembers"), ("POST", "/detector/{id}/member", "CreateMembers"),
        ("POST", "/detector/{id}/member/get", "GetMembers"),
        ("POST", "/detector/{id}/member/detector/get", "GetMemberDetectors"),
        ("POST", "/detector/{id}/member/disassociate", "DisassociateMembers"),
        ("POST", "/detector/{id}/member/delete", "DeleteMembers"),
        ("GET", "/detector/{id}/admin", "DescribeOrganizationConfiguration"),
        ("POST", "/detector/{id}/admin", "UpdateOrganizationConfiguration"),
        ("GET", "/detector/{id}/publishingDestination", "ListPublishingDestinations"),
        ("GET", "/detector/{id}/filter", "ListFilters"), ("POST", "/detector/{id}/filter", "CreateFilter"),
        ("GET", "/detector/{id}/filter/{name}", "GetFilter"),
        ("POST", "/detector/{id}/findings", "ListFindings"),
        ("POST", "/detector/{id}/coverage/statistics", "GetCoverageStatistics"),
        ("GET", "/admin", "ListOrganizationAdminAccounts"),
        ("POST", "/admin/enable", "EnableOrganizationAdminAccount"),
        ("POST", "/admin/disable", "DisableOrganizationAdminAccount"),
        ("GET", "/organization/statistics", "GetOrganizationStatistics"),
    ]),
    "lambda": _routes([
        ("GET", "/2015-03-31/functions", "ListFunctions"), ("POST", "/2015-03-31/functions", "CreateFunction"),
        ("GET", "/2015-03-31/functions/{f}", "GetFunction"),
        ("DELETE", "/2015-03-31/functions/{f}", "DeleteFunction"),
        ("GET", "/2015-03-31/functions/{f}/configuration", "GetFunctionConfiguration"),
        ("PUT", "/2015-03-31/functions/{f}/configuration", "UpdateFunctionConfiguration"),
        ("GET", "/2015-03-31/functions/{f}/policy", "GetPolicy"),
        ("POST", "/2015-03-31/functions/{f}/policy", "AddPermission"),
        ("GET", "/2019-09-30/functions/{f}/concurrency", "GetFunctionConcurrency"),
        ("PUT", "/2017-10-31/functions/{f}/concurrency", "PutFunctionConcurrency"),
        ("GET", "/2019-09-25/functions/{f}/event-invoke-config", "GetFunctionEventInvokeConfig"),
        ("GET", "/2015-03-31/functions/{f}/aliases", "ListAliases"),
        ("GET", "/2015-03-31/functions/{f}/versions", "ListVersionsByFunction"),
        ("GET", "/2015-03-31/event-source-mappings", "ListEventSourceMappings"),
        ("POST", "/2015-03-31/functions/{f}/invocations", "Invoke"),
        ("GET", "/2016-08-19/account-settings", "GetAccountSettings"),
        ("GET", "/2017-03-31/tags/{r}", "ListTags"),
    ]),
    "account": _routes([
        ("POST", "/listRegions", "ListRegions"), ("POST", "/getRegionOptStatus", "GetRegionOptStatus"),
        ("POST", "/enableRegion", "EnableRegion"), ("POST", "/disableRegion", "DisableRegion"),
        ("POST", "/getAlternateContact", "GetAlternateContact"),
        ("POST", "/getContactInformation", "GetContactInformation"),
        ("POST", "/getAccountInformation", "GetAccountInformation"),
    ]),
    "securityhub": _routes([
        ("GET", "/accounts", "DescribeHub"), ("POST", "/accounts", "EnableSecurityHub"),
        ("GET", "/productSubscriptions", "ListEnabledProductsForImport"),
        ("POST", "/productSubscriptions", "EnableImportFindingsForProduct"),
        ("GET", "/findingAggregator/list", "ListFindingAggregators"),
        ("GET", "/findingAggregator/get/{arn+}", "GetFindingAggregator"),
        ("POST", "/findingAggregator/create", "CreateFindingAggregator"),
        ("GET", "/members", "ListMembers"), ("POST", "/members", "CreateMembers"),
        ("POST", "/members/invite", "InviteMembers"),
        ("GET", "/administrator", "GetAdministratorAccount"),
        ("POST", "/administrator", "AcceptAdministratorInvitation"), ("GET", "/master", "GetMasterAccount"),
        ("GET", "/automationrules/list", "ListAutomationRules"),
        ("POST", "/automationrules/get", "BatchGetAutomationRules"),
        ("POST", "/automationrules/create", "CreateAutomationRule"),
        ("GET", "/organization/admin", "ListOrganizationAdminAccounts"),
        ("POST", "/organization/admin/enable", "EnableOrganizationAdminAccount"),
    ]),
}


def rest_operation(service: str, method: str, path: str) -> str:
    for m, rx, op in REST_ROUTES.get(service, []):
        if m == method and rx.match(path):
            return op
    return f"{method} {path}"


# ----------------------------------------------------------------- CBOR (tiny)
def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + n.to_bytes(2, "big")
    return bytes([major << 5 | 26]) + n.to_bytes(4, "big")


def cbor_str_map(d: dict) -> bytes:
    out = _cbor_head(5, len(d))
    for k, v in d.items():
        for s in (k, v):
            b = str(s).encode()
            out += _cbor_head(3, len(b)) + b
    return out


# ------------------------------------------------------------------- state
class Proxy:
    def __init__(self, upstream: str, log: bool):
        u = urlsplit(upstream)
        if u.scheme != "http" or not u.hostname:
            raise SystemExit(f"fault_proxy: --upstream must be http://host:port, got {upstream!r}")
        self.up_host, self.up_port = u.hostname, u.port or 80
        self.log = log
        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.keys: dict[str, dict] = {}  # access key id -> {"account","arn"}
        self.tls = threading.local()
        self.reset_stats()

    def reset_stats(self):
        with self.lock:
            self.stats = {"requests_total": 0, "faults_total": 0, "requests": {}, "faults": {},
                          "requests_by_account": {}, "requests_by_principal": {},
                          "roles_assumed_by_principal": {}, "upstream_errors": 0, "started": time.time()}

    def set_rules(self, rules: list, append: bool):
        norm = []
        for r in rules:
            if not isinstance(r, dict) or r.get("kind") not in ("access_denied", "throttle", "delay", "http500"):
                raise ValueError(f"bad rule (kind must be access_denied|throttle|delay|http500): {r!r}")
            r = dict(r)
            if r.get("service"):
                r["service"] = SERVICE_ALIASES.get(r["service"].lower(), r["service"].lower())
            r["_left"] = r.get("times")
            r["_hits"] = 0
            norm.append(r)
        with self.lock:
            self.rules = (self.rules + norm) if append else norm

    def match(self, info: dict) -> dict | None:
        with self.lock:
            for r in self.rules:
                if r["_left"] is not None and r["_left"] <= 0:
                    continue
                ok = True
                for f in ("account", "region", "service", "operation", "role_account"):
                    if r.get(f) is not None and str(r[f]) != str(info.get(f)):
                        ok = False
                        break
                if ok:
                    if r["_left"] is not None:
                        r["_left"] -= 1
                    r["_hits"] += 1
                    return dict(r)
        return None

    def count(self, info: dict, fault: str | None):
        key = f"{info['service']}.{info['operation']}"
        with self.lock:
            s = self.stats
            s["requests_total"] += 1
            s["requests"][key] = s["requests"].get(key, 0) + 1
            acc = s["requests_by_account"].setdefault(info["account"], {})
            acc[key] = acc.get(key, 0) + 1
            who = s["requests_by_principal"].setdefault(info["principal"], {})
            who[key] = who.get(key, 0) + 1
            if info.get("role_arn"):
                roles = s["roles_assumed_by_principal"].setdefault(info["principal"], [])
                if info["role_arn"] not in roles:
                    roles.append(info["role_arn"])
            if fault:
                s["faults_total"] += 1
                fk = f"{fault}:{key}"
                s["faults"][fk] = s["faults"].get(fk, 0) + 1

    def learn_assume_role(self, body: bytes):
        text = body.decode("utf-8", "replace")
        ak = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", text)
        arn = re.search(r"<AssumedRoleUser>.*?<Arn>([^<]+)</Arn>", text, re.S)
        if ak and arn:
            m = re.match(r"arn:[^:]+:sts::(\d{12}):", arn.group(1))
            if m:
                with self.lock:
                    self.keys[ak.group(1)] = {"account": m.group(1), "arn": arn.group(1)}

    def upstream(self) -> http.client.HTTPConnection:
        c = getattr(self.tls, "conn", None)
        if c is None:
            c = self.tls.conn = http.client.HTTPConnection(self.up_host, self.up_port, timeout=120)
            c.connect()
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return c

    def drop_upstream(self):
        c = getattr(self.tls, "conn", None)
        if c is not None:
            c.close()
        self.tls.conn = None


PROXY: Proxy | None = None


# ------------------------------------------------------------ classification
def classify(method: str, path: str, query: str, headers, body: bytes) -> dict:
    auth = headers.get("Authorization", "")
    m = _CRED_RE.search(auth)
    akid, region, service = (m.group(1), m.group(2), m.group(3).lower()) if m else (None, None, None)
    if not service:
        # presigned / unsigned: X-Amz-Credential in the query string
        qs = parse_qs(query)
        cred = (qs.get("X-Amz-Credential") or [""])[0].split("/")
        if len(cred) == 5:
            akid, region, service = cred[0], cred[2], cred[3].lower()
    service = SERVICE_ALIASES.get(service or "", service or "unknown")
    ctype = (headers.get("Content-Type") or "").lower()
    target = headers.get("X-Amz-Target")
    info = {"akid": akid, "region": region or "us-east-1", "service": service, "role_account": None}
    form = {}
    if target:
        info["protocol"] = "json"
        info["operation"] = target.rsplit(".", 1)[-1]
    elif "/operation/" in path and (headers.get("smithy-protocol") or "").startswith("rpc-v2"):
        info["protocol"] = "cbor"
        info["operation"] = path.rstrip("/").rsplit("/", 1)[-1]
    elif ctype.startswith("application/x-www-form-urlencoded") or "Action=" in query:
        info["protocol"] = "query"
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if not form.get("Action"):
            form.update({k: v[-1] for k, v in parse_qs(query).items()})
        info["operation"] = form.get("Action", "unknown")
    elif service in REST_JSON_SERVICES:
        info["protocol"] = "rest-json"
        info["operation"] = rest_operation(service, method, unquote(path))
    else:
        info["protocol"] = "query" if service in QUERY_SERVICES else "rest-json"
        info["operation"] = f"{method} {path}"
    with PROXY.lock:
        known = PROXY.keys.get(akid or "")
    info["account"] = known["account"] if known else DEFAULT_ACCOUNT
    info["principal"] = known["arn"] if known else f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/test"
    if service == "sts" and info["operation"] == "AssumeRole":
        ra = re.match(r"arn:[^:]+:iam::(\d{12}):role/(.+)", form.get("RoleArn", ""))
        if ra:
            info["role_account"] = ra.group(1)
            info["role_arn"] = form["RoleArn"]
    return info


def error_for(rule: dict, info: dict) -> tuple[int, list, bytes]:
    """Status, headers and body of the injected error in the protocol's wire shape."""
    svc, op, proto = info["service"], info["operation"], info["protocol"]
    kind = rule["kind"]
    prefix = IAM_PREFIX.get(svc, svc)
    if kind == "access_denied":
        status = 403
        code = ("AccessDenied" if proto in ("query",) or svc == "cloudwatch" else "AccessDeniedException")
        resource = info.get("role_arn") or "*"
        msg = (f"User: {info['principal']} is not authorized to perform: {prefix}:{op} "
               f"on resource: {resource} because no identity-based policy allows the {prefix}:{op} action")
        if svc == "sts" and op == "AssumeRole":
            msg = f"User: {info['principal']} is not authorized to perform: sts:AssumeRole on resource: {resource}"
    elif kind == "throttle":
        if svc == "lambda":
            status, code = 429, "TooManyRequestsException"
        elif proto == "query" or svc == "cloudwatch":
            status, code = 400, "Throttling"
        else:
            status, code = 400, "ThrottlingException"
        msg = "Rate exceeded"
    else:  # http500
        status = 500
        code = "InternalError" if proto == "query" else "InternalFailure"
        msg = "We encountered an internal error. Please try again."
    code = rule.get("code") or code
    status = int(rule.get("status") or status)
    msg = rule.get("message") or msg
    rid = str(uuid.uuid4())
    if proto == "query":
        typ = "Receiver" if status >= 500 else "Sender"
        body = (f'<ErrorResponse xmlns="https://{svc}.amazonaws.com/doc/"><Error><Type>{typ}</Type>'
                f"<Code>{code}</Code><Message>{_xml(msg)}</Message></Error>"
                f"<RequestId>{rid}</RequestId></ErrorResponse>").encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)]
    elif proto == "cbor":
        body = cbor_str_map({"__type": code, "message": msg})
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                   ("x-amzn-RequestId", rid),
                   ("x-amzn-query-error", f"{code};{'Receiver' if status >= 500 else 'Sender'}")]
    else:
        payload = {"__type": code, "message": msg, "Message": msg}
        if svc == "lambda":
            payload["Type"] = "User" if status < 500 else "Service"
        body = json.dumps(payload).encode()
        ctype = "application/x-amz-json-1.1" if proto == "json" else "application/json"
        headers = [("Content-Type", ctype), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", rid)]
        if proto == "json" and svc == "cloudwatch":
            headers.append(("x-amzn-query-error", f"{code};Sender"))
    return status, headers, body


def _xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------- handler
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "alertpath-fault-proxy"

    def log_message(self, fmt, *args):
        if PROXY.log:
            sys.stderr.write("fault_proxy: " + (fmt % args) + "\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                line = self.rfile.readline().strip()
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline().strip():
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def setup(self):
        super().setup()
        # headers and body go out in one write; no Nagle/delayed-ACK stalls
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, headers: list, body: bytes):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _json(self, status: int, obj):
        self._send(status, [("Content-Type", "application/json")], json.dumps(obj, default=str).encode())

    def control(self, path: str, query: str, body: bytes):
        if path == "/_fault/rules" and self.command == "POST":
            try:
                rules = json.loads(body or b"[]")
                if isinstance(rules, dict):
                    rules = rules.get("rules", [rules])
                PROXY.set_rules(rules, append="append=1" in query)
            except (ValueError, TypeError) as e:
                return self._json(400, {"error": str(e)})
            return self._json(200, {"ok": True, "rules": len(PROXY.rules)})
        if path == "/_fault/rules":
            with PROXY.lock:
                return self._json(200, [{**{k: v for k, v in r.items() if not k.startswith("_")},
                                         "hits": r["_hits"], "remaining": r["_left"]} for r in PROXY.rules])
        if path == "/_fault/reset" and self.command == "POST":
            with PROXY.lock:
                PROXY.rules = []
            PROXY.reset_stats()
            return self._json(200, {"ok": True})
        if path == "/_fault/stats":
            with PROXY.lock:
                s = json.loads(json.dumps(PROXY.stats))
            s["uptime_s"] = round(time.time() - s.pop("started"), 3)
            return self._json(200, s)
        if path == "/_fault/keys":
            with PROXY.lock:
                return self._json(200, PROXY.keys)
        if path == "/_fault/health":
            return self._json(200, {"ok": True})
        return self._json(404, {"error": f"unknown control endpoint {self.command} {path}"})

    def handle_any(self):
        u = urlsplit(self.path)
        body = self._read_body()
        if u.path.startswith("/_fault/"):
            return self.control(u.path, u.query, body)
        info = classify(self.command, u.path, u.query, self.headers, body)
        rule = PROXY.match(info)
        if rule and rule["kind"] != "delay":
            PROXY.count(info, rule["kind"])
            status, headers, ebody = error_for(rule, info)
            return self._send(status, headers, ebody)
        if rule:  # delay, then pass through
            time.sleep(float(rule.get("seconds", 1.0)))
        PROXY.count(info, rule["kind"] if rule else None)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        fwd["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            conn = PROXY.upstream()
            try:
                conn.request(self.command, self.path, body=body, headers=fwd)
                resp = conn.getresponse()
                rbody = resp.read()
                break
            except (OSError, http.client.HTTPException) as e:
                PROXY.drop_upstream()
                if attempt == 2:
                    with PROXY.lock:
                        PROXY.stats["upstream_errors"] += 1
                    return self._send(502, [("Content-Type", "text/plain")],
                                      f"fault_proxy: upstream error: {e}".encode())
        if info["service"] == "sts" and info["operation"] == "AssumeRole" and resp.status == 200:
            PROXY.learn_assume_role(rbody)
        headers = [(k, v) for k, v in resp.getheaders()
                   if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date")]
        if resp.will_close:
            PROXY.drop_upstream()
        self._send(resp.status, headers, rbody)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main() -> int:
    global PROXY
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--rules", help="JSON file with initial rules")
    ap.add_argument("--log", action="store_true", help="log every request to stderr")
    a = ap.parse_args()
    PROXY = Proxy(a.upstream, a.log)
    if a.rules:
        with open(a.rules) as f:
            PROXY.set_rules(json.load(f), append=False)
    try:
        srv = Server((a.host, a.port), Handler)
    except OSError as e:
        print(f"fault_proxy: cannot bind {a.host}:{a.port}: {e}", file=sys.stderr)
        return 2
    port = srv.server_address[1]

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.port_file:
        tmp = f"{a.port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, a.port_file)
    print(f"fault_proxy: listening on http://{a.host}:{port} -> {a.upstream}", file=sys.stderr, flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        if a.port_file:
            try:
                os.remove(a.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
