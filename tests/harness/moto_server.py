#!/usr/bin/env python3
"""moto as a real HTTP server, plus the handlers alertpath needs that moto lacks.

Usage: moto_server.py [--host 127.0.0.1] [--port 0] [--port-file F] [--quiet]

The port file is written (atomically) only once the socket listens and the
backends alertpath uses are warmed up. SIGTERM/SIGINT stop the server and
remove the port file.

Extensions (a WSGI layer in front of moto's DomainDispatcherApplication):
  guardduty  ListMembers, GetMembers, CreateMembers, DisassociateMembers,
             DeleteMembers, DescribeOrganizationConfiguration,
             UpdateOrganizationConfiguration, GetAdministratorAccount (fixed),
             ListOrganizationAdminAccounts (deduplicated), ListFilters (over
             moto's CreateFilter/GetFilter store), ListPublishingDestinations,
             CreatePublishingDestination (S3)
  securityhub  ListFindingAggregators, GetFindingAggregator,
             CreateFindingAggregator, UpdateFindingAggregator,
             ListEnabledProductsForImport, EnableImportFindingsForProduct,
             DisableImportFindingsForProduct, ListAutomationRules,
             BatchGetAutomationRules, CreateAutomationRule,
             ListOrganizationAdminAccounts (over moto's
             EnableOrganizationAdminAccount)
  account    ListRegions, GetRegionOptStatus, EnableRegion, DisableRegion
  organizations  CreateAccount with Email account-<12 digits>@... uses that id
  control    POST /_alertpath/region-opt {"account","region","status"}
             GET  /_alertpath/state      (dump of the extension state)
             GET  /_alertpath/health
See README.md.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

DEFAULT_ACCOUNT = "123456789012"

# Commercial regions enabled by default in every account, and opt-in regions.
DEFAULT_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    "sa-east-1",
]
OPT_IN_REGIONS = [
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2",
    "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
    "mx-central-1",
]
ALL_REGIONS = sorted(DEFAULT_REGIONS + OPT_IN_REGIONS)
OPT_STATUSES = {"ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"}

# Services the port file waits for (imports + flask app creation, ~1-3 s).
WARM_SERVICES = [
    "sts", "iam", "organizations", "guardduty", "events", "sns", "lambda",
    "cloudwatch", "logs", "cloudtrail", "ssm", "kms", "account", "securityhub",
]


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class State:
    """Extension state kept in the server process; cleared by POST
    /_alertpath/reset and by moto's own POST /moto-api/reset/."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            # (admin_account, region, detector_id) -> {member_account: member}
            self.members: dict[tuple[str, str, str], dict[str, dict]] = {}
            # (admin_account, region, detector_id) -> org configuration
            self.org_config: dict[tuple[str, str, str], dict] = {}
            # (account, region, detector_id) -> [publishing destination]
            self.destinations: dict[tuple[str, str, str], list[dict]] = {}
            # (account, region) -> opt status overrides
            self.region_opt: dict[tuple[str, str], str] = {}
            # Security Hub: account -> its one finding aggregator
            self.sh_aggregators: dict[str, dict] = {}
            # Security Hub: (account, region) -> product ARNs whose import was
            # disabled / enabled beyond the default AWS integrations
            self.sh_disabled: dict[tuple[str, str], set[str]] = {}
            self.sh_enabled: dict[tuple[str, str], set[str]] = {}
            # Security Hub: (account, region) -> [automation rule]
            self.sh_rules: dict[tuple[str, str], list[dict]] = {}

    def opt_status(self, account: str, region: str) -> str:
        with self.lock:
            if (account, region) in self.region_opt:
                return self.region_opt[(account, region)]
        return "ENABLED_BY_DEFAULT" if region in DEFAULT_REGIONS else "DISABLED"


STATE = State()
ACCOUNT_CACHE: list[dict] = []


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
_CRED_RE = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")


def sigv4_scope(environ) -> tuple[str | None, str | None, str | None]:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _CRED_RE.search(auth)
    if not m:
        return None, None, None
    return m.group(1), m.group(2), m.group(3).lower()


def account_for(environ, access_key: str | None) -> str:
    """Same resolution order as moto's BaseResponse.get_current_account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    hdr = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if hdr:
        return hdr
    if not access_key:
        return DEFAULT_ACCOUNT
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def read_body(environ) -> bytes:
    try:
        n = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        n = 0
    body = environ["wsgi.input"].read(n) if n > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def json_body(environ) -> dict:
    raw = read_body(environ)
    if not raw.strip():
        return {}
    try:
        v = json.loads(raw)
    except ValueError:
        raise ApiError(400, "BadRequestException", "Request body is not valid JSON")
    return v if isinstance(v, dict) else {}


def respond(start_response, status: int, payload, extra_headers=None):
    body = json.dumps(payload).encode()
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
              500: "Internal Server Error"}.get(status, "Error")
    headers = [("Content-Type", "application/json"),
               ("Content-Length", str(len(body))),
               ("x-amzn-RequestId", str(uuid.uuid4()))]
    headers += extra_headers or []
    start_response(f"{status} {reason}", headers)
    return [body]


def error_response(start_response, err: ApiError):
    return respond(start_response, err.status,
                   {"__type": err.code, "message": err.message, "Message": err.message},
                   [("x-amzn-ErrorType", err.code)])


# --------------------------------------------------------------------------
# GuardDuty extensions
# --------------------------------------------------------------------------
def gd_backend(account: str, region: str):
    from moto.guardduty.models import guardduty_backends

    return guardduty_backends[account][region]


def gd_check_detector(account: str, region: str, detector_id: str):
    be = gd_backend(account, region)
    if detector_id not in be.detectors:
        raise ApiError(400, "BadRequestException",
                       "The request is rejected because the input detectorId is not "
                       "owned by the current account.")
    return be.detectors[detector_id]


def gd_member_view(admin: str, region: str, m: dict) -> dict:
    out = {
        "accountId": m["accountId"],
        "masterId": admin,
        "administratorId": admin,
        "email": m.get("email", ""),
        "relationshipStatus": m["relationshipStatus"],
        "invitedAt": m.get("invitedAt", ""),
        "updatedAt": m.get("updatedAt", _now_iso()),
    }
    # detectorId of the member in the same region, if it has one
    det = m.get("detectorId")
    if det is None:
        try:
            ids = list(gd_backend(m["accountId"], region).detectors)
            det = ids[0] if ids else None
        except Exception:  # noqa: BLE001
            det = None
    if det:
        out["detectorId"] = det
    return out


def gd_route(method: str, path: str):
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "detector":
        det = parts[1]
        rest = parts[2:]
        if rest == ["member"] and method == "GET":
            return "ListMembers", det
        if rest == ["member"] and method == "POST":
            return "CreateMembers", det
        if rest == ["member", "get"] and method == "POST":
            return "GetMembers", det
        if rest == ["member", "disassociate"] and method == "POST":
            return "DisassociateMembers", det
        if rest == ["member", "delete"] and method == "POST":
            return "DeleteMembers", det
        if rest == ["admin"] and method == "GET":
            return "DescribeOrganizationConfiguration", det
        if rest == ["admin"] and method == "POST":
            return "UpdateOrganizationConfiguration", det
        if rest == ["administrator"] and method == "GET":
            return "GetAdministratorAccount", det
        if rest == ["filter"] and method == "GET":
            return "ListFilters", det
        if rest == ["publishingDestination"] and method == "GET":
            return "ListPublishingDestinations", det
        if rest == ["publishingDestination"] and method == "POST":
            return "CreatePublishingDestination", det
    if parts == ["admin"] and method == "GET":
        return "ListOrganizationAdminAccounts", None
    return None, None


def _qs(environ) -> dict[str, str]:
    from urllib.parse import parse_qs

    return {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _paginate(items: list, max_results, token):
    start = int(token) if token and str(token).isdigit() else 0
    n = int(max_results) if max_results else 50
    page = items[start:start + n]
    nxt = str(start + n) if start + n < len(items) else None
    return page, nxt


def gd_handle(op: str, det: str | None, environ, account: str, region: str):
    key = (account, region, det)
    if op == "ListOrganizationAdminAccounts":
        ids = list(dict.fromkeys(gd_backend(account, region).admin_account_ids))
        q = _qs(environ)
        page, nxt = _paginate(ids, q.get("maxResults"), q.get("nextToken"))
        out = {"adminAccounts": [{"adminAccountId": a, "adminStatus": "ENABLED"} for a in page]}
        if nxt:
            out["nextToken"] = nxt
        return out
    detector = gd_check_detector(account, region, det)
    if op == "ListFilters":
        # moto stores filters (CreateFilter/GetFilter) but has no ListFilters:
        # GET /detector/{id}/filter -> {"filterNames": [...], "nextToken"}.
        q = _qs(environ)
        page, nxt = _paginate(sorted(detector.filters), q.get("maxResults"), q.get("nextToken"))
        out = {"filterNames": page}
        if nxt:
            out["nextToken"] = nxt
        return out
    if op in ("ListPublishingDestinations", "CreatePublishingDestination"):
        with STATE.lock:
            dests = STATE.destinations.setdefault(key, [])
            if op == "CreatePublishingDestination":
                body = json_body(environ)
                if body.get("destinationType") != "S3":
                    raise ApiError(400, "BadRequestException", "destinationType must be S3")
                props = body.get("destinationProperties") or {}
                if not props.get("destinationArn") or not props.get("kmsKeyArn"):
                    raise ApiError(400, "BadRequestException",
                                   "destinationProperties needs destinationArn and kmsKeyArn")
                dest = {"destinationId": uuid.uuid4().hex, "destinationType": "S3",
                        "status": "PUBLISHING", "properties": props}
                dests.append(dest)
                return {"destinationId": dest["destinationId"]}
            q = _qs(environ)
            page, nxt = _paginate(dests, q.get("maxResults"), q.get("nextToken"))
            out = {"destinations": [{k: d[k] for k in ("destinationId", "destinationType", "status")}
                                    for d in page]}
            if nxt:
                out["nextToken"] = nxt
            return out
    with STATE.lock:
        members = STATE.members.setdefault(key, {})
        if op == "CreateMembers":
            body = json_body(environ)
            unprocessed = []
            for ad in body.get("accountDetails") or []:
                acc = str(ad.get("accountId", ""))
                if not re.fullmatch(r"\d{12}", acc) or acc == account:
                    unprocessed.append({"accountId": acc, "result": "Invalid account id"})
                    continue
                # Org-managed members become Enabled right away (as in an
                # organization with a delegated admin).  Override with the
                # harness-only field "relationshipStatus" in the detail.
                status = ad.get("relationshipStatus") or "Enabled"
                m = members.get(acc, {})
                m.update({"accountId": acc, "email": ad.get("email", m.get("email", "")),
                          "relationshipStatus": status, "invitedAt": m.get("invitedAt", _now_iso()),
                          "updatedAt": _now_iso()})
                members[acc] = m
            return {"unprocessedAccounts": unprocessed}
        if op == "ListMembers":
            q = _qs(environ)
            only_assoc = q.get("onlyAssociated", "true").lower() != "false"
            items = sorted(members.values(), key=lambda m: m["accountId"])
            if only_assoc:
                items = [m for m in items if m["relationshipStatus"] not in ("Removed", "Created")]
            page, nxt = _paginate(items, q.get("maxResults"), q.get("nextToken"))
            out = {"members": [gd_member_view(account, region, m) for m in page]}
            if nxt:
                out["nextToken"] = nxt
            return out
        if op == "GetMembers":
            ids = json_body(environ).get("accountIds") or []
            found, unprocessed = [], []
            for acc in ids:
                if acc in members:
                    found.append(gd_member_view(account, region, members[acc]))
                else:
                    unprocessed.append({"accountId": acc,
                                        "result": "The request is rejected because the input accountId is not associated with the current account."})
            return {"members": found, "unprocessedAccounts": unprocessed}
        if op in ("DisassociateMembers", "DeleteMembers"):
            ids = json_body(environ).get("accountIds") or []
            for acc in ids:
                if acc in members:
                    if op == "DeleteMembers":
                        del members[acc]
                    else:
                        members[acc]["relationshipStatus"] = "Removed"
                        members[acc]["updatedAt"] = _now_iso()
            return {"unprocessedAccounts": []}
        if op == "DescribeOrganizationConfiguration":
            cfg = STATE.org_config.get(key) or {"autoEnableOrganizationMembers": "NONE"}
            mode = cfg.get("autoEnableOrganizationMembers", "NONE")
            return {
                "autoEnable": mode != "NONE",
                "autoEnableOrganizationMembers": mode,
                "memberAccountLimitReached": False,
                "dataSources": cfg.get("dataSources", {
                    "s3Logs": {"autoEnable": False},
                    "kubernetes": {"auditLogs": {"autoEnable": False}},
                    "malwareProtection": {"scanEc2InstanceWithFindings": {"ebsVolumes": {"autoEnable": False}}},
                }),
                "features": cfg.get("features", []),
            }
        if op == "UpdateOrganizationConfiguration":
            body = json_body(environ)
            cfg = STATE.org_config.setdefault(key, {"autoEnableOrganizationMembers": "NONE"})
            mode = body.get("autoEnableOrganizationMembers")
            if mode is not None:
                if mode not in ("NEW", "ALL", "NONE"):
                    raise ApiError(400, "BadRequestException",
                                   "autoEnableOrganizationMembers must be NEW, ALL or NONE")
                cfg["autoEnableOrganizationMembers"] = mode
            elif "autoEnable" in body:
                cfg["autoEnableOrganizationMembers"] = "NEW" if body["autoEnable"] else "NONE"
            if "dataSources" in body:
                cfg["dataSources"] = body["dataSources"]
            if "features" in body:
                cfg["features"] = body["features"]
            return {}
    if op == "GetAdministratorAccount":
        with STATE.lock:
            for (adm, reg, adm_det), mem in STATE.members.items():
                if reg == region and account in mem and adm != account:
                    m = mem[account]
                    return {"administrator": {
                        "accountId": adm,
                        "invitationId": m.setdefault("invitationId", uuid.uuid4().hex),
                        "relationshipStatus": m["relationshipStatus"],
                        "invitedAt": m.get("invitedAt", _now_iso()),
                    }}
        return {}
    raise ApiError(400, "BadRequestException", f"unsupported {op}")


# --------------------------------------------------------------------------
# Account extensions
# --------------------------------------------------------------------------
def account_route(method: str, path: str):
    return {
        "/listRegions": "ListRegions",
        "/getRegionOptStatus": "GetRegionOptStatus",
        "/enableRegion": "EnableRegion",
        "/disableRegion": "DisableRegion",
    }.get(path.rstrip("/")) if method == "POST" else None


def account_handle(op: str, environ, caller: str):
    body = json_body(environ)
    acc = body.get("AccountId") or caller
    if op == "ListRegions":
        want = body.get("RegionOptStatusContains") or []
        bad = [s for s in want if s not in OPT_STATUSES]
        if bad:
            raise ApiError(400, "ValidationException", f"Invalid RegionOptStatusContains: {bad}")
        mr = body.get("MaxResults") or 50
        if not (1 <= int(mr) <= 50):
            raise ApiError(400, "ValidationException", "MaxResults must be between 1 and 50")
        items = [{"RegionName": r, "RegionOptStatus": STATE.opt_status(acc, r)} for r in ALL_REGIONS]
        if want:
            items = [i for i in items if i["RegionOptStatus"] in want]
        page, nxt = _paginate(items, mr, body.get("NextToken"))
        out = {"Regions": page}
        if nxt:
            out["NextToken"] = nxt
        return out
    region = body.get("RegionName")
    if region not in ALL_REGIONS:
        raise ApiError(400, "ValidationException", f"Invalid RegionName: {region}")
    if op == "GetRegionOptStatus":
        return {"RegionName": region, "RegionOptStatus": STATE.opt_status(acc, region)}
    if region in DEFAULT_REGIONS:
        raise ApiError(400, "ValidationException", f"{region} is enabled by default and cannot be changed")
    with STATE.lock:
        STATE.region_opt[(acc, region)] = "ENABLED" if op == "EnableRegion" else "DISABLED"
    return {}


# --------------------------------------------------------------------------
# Smithy RPC v2 CBOR (CloudWatch in current AWS SDKs, e.g. aws-sdk-cloudwatch
# 1.140 for Rust): moto 5.2.5 only routes "/" for CloudWatch, so translate
# POST /service/{Svc}/operation/{Op} (CBOR) <-> awsJson1_0, which moto speaks.
# --------------------------------------------------------------------------
_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
_SIGNING_TO_BOTO = {"monitoring": "cloudwatch"}


def _service_model(boto_name: str):
    from moto.core.utils import get_service_model

    return get_service_model(boto_name)


def _jsonable(v):
    import base64

    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, datetime):
        return v.timestamp()
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    return v


def cbor_bridge(app, environ, start_response, signing_service: str):
    from botocore.parsers import JSONParser, RpcV2CBORParser
    from botocore.serialize import RpcV2CBORSerializer

    m = _CBOR_PATH.match(environ.get("PATH_INFO", ""))
    op = m.group(2)
    model = _service_model(_SIGNING_TO_BOTO.get(signing_service, signing_service))
    raw = read_body(environ)
    params = {}
    if raw:
        parser = RpcV2CBORParser()
        params = parser.parse_data_item(parser.get_peekable_stream_from_bytes(raw)) or {}
    body = json.dumps(_jsonable(params)).encode()
    prefix = model.metadata.get("targetPrefix") or model.metadata.get("serviceId")
    env = dict(environ)
    env.update({"PATH_INFO": "/", "CONTENT_TYPE": "application/x-amz-json-1.0",
                "HTTP_X_AMZ_TARGET": f"{prefix}.{op}", "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body), "QUERY_STRING": ""})
    env.pop("HTTP_SMITHY_PROTOCOL", None)
    captured = {}

    def sr(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    out = b"".join(app(env, sr))
    code = int(captured["status"].split()[0])
    keep = [(k, v) for k, v in captured["headers"]
            if k.lower() in ("x-amzn-requestid", "x-amzn-query-error", "x-amzn-errortype")]
    buf = bytearray()
    ser = RpcV2CBORSerializer()
    if code < 300:
        shape = model.operation_model(op).output_shape
        if shape is not None:
            parsed = JSONParser().parse({"body": out or b"{}", "headers": {}, "status_code": 200}, shape)
            parsed.pop("ResponseMetadata", None)
            ser._serialize_data_item(buf, parsed, shape)
        else:
            buf += bytes([0xA0])  # empty map
    else:
        try:
            err = json.loads(out or b"{}")
        except ValueError:
            err = {"message": out.decode("utf-8", "replace")}
        etype = str(err.get("__type") or dict(keep).get("x-amzn-ErrorType") or "InternalFailure").split("#")[-1]
        if not any(k.lower() == "x-amzn-query-error" for k, _ in keep):
            keep.append(("x-amzn-query-error", f"{etype};{'Receiver' if code >= 500 else 'Sender'}"))
        msg = str(err.get("message") or err.get("Message") or "")
    if code >= 300:
        buf = bytearray(_cbor_str_map({"__type": etype, "message": msg}))
    headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
               ("Content-Length", str(len(buf)))] + keep
    start_response(captured["status"], headers)
    return [bytes(buf)]


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + n.to_bytes(2, "big")
    return bytes([major << 5 | 26]) + n.to_bytes(4, "big")


def _cbor_str_map(d: dict) -> bytes:
    out = _cbor_head(5, len(d))
    for k, v in d.items():
        for x in (k, v):
            b = str(x).encode()
            out += _cbor_head(3, len(b)) + b
    return out


# --------------------------------------------------------------------------
# Security Hub CSPM (moto 5.2 has the hub and members, not these)
# --------------------------------------------------------------------------
# Integrations with AWS services that Security Hub CSPM turns on with the hub.
SH_DEFAULT_PRODUCTS = ["aws/guardduty", "aws/securityhub"]


def sh_backend(account: str, region: str):
    from moto.securityhub.models import securityhub_backends

    return securityhub_backends[account][region]


def sh_check_enabled(account: str, region: str):
    be = sh_backend(account, region)
    if not be.enabled:
        raise ApiError(401, "InvalidAccessException",
                       f"Account {account} is not subscribed to AWS Security Hub")
    return be


def sh_route(method: str, path: str):
    """(operation, path argument) of a Security Hub REST call moto lacks."""
    from urllib.parse import unquote

    if path == "/findingAggregator/list" and method == "GET":
        return "ListFindingAggregators", None
    if path.startswith("/findingAggregator/get/") and method == "GET":
        return "GetFindingAggregator", unquote(path[len("/findingAggregator/get/"):])
    if path == "/findingAggregator/create" and method == "POST":
        return "CreateFindingAggregator", None
    if path == "/findingAggregator/update" and method == "PATCH":
        return "UpdateFindingAggregator", None
    if path == "/productSubscriptions" and method == "GET":
        return "ListEnabledProductsForImport", None
    if path == "/productSubscriptions" and method == "POST":
        return "EnableImportFindingsForProduct", None
    if path.startswith("/productSubscriptions/") and method == "DELETE":
        return "DisableImportFindingsForProduct", unquote(path[len("/productSubscriptions/"):])
    if path == "/automationrules/list" and method == "GET":
        return "ListAutomationRules", None
    if path == "/automationrules/get" and method == "POST":
        return "BatchGetAutomationRules", None
    if path == "/automationrules/create" and method == "POST":
        return "CreateAutomationRule", None
    if path == "/organization/admin" and method == "GET":
        return "ListOrganizationAdminAccounts", None
    return None, None


LINKING_MODES = {"ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS", "NO_REGIONS"}


def _sh_aggregator_body(body: dict, agg: dict) -> None:
    mode = body.get("RegionLinkingMode")
    if mode not in LINKING_MODES:
        raise ApiError(400, "InvalidInputException", f"RegionLinkingMode {mode!r} is not valid")
    regions = body.get("Regions") or []
    if mode in ("ALL_REGIONS", "NO_REGIONS") and regions:
        raise ApiError(400, "InvalidInputException", f"Regions must be empty with {mode}")
    agg["RegionLinkingMode"], agg["Regions"] = mode, list(regions)


def _sh_subscription(account: str, region: str, product: str) -> str:
    return f"arn:aws:securityhub:{region}:{account}:product-subscription/{product}"


def sh_handle(op: str, arg: str | None, environ, account: str, region: str):
    q = _qs(environ)
    if op == "ListOrganizationAdminAccounts":
        # Callable only from the management account (moto's org config).
        cfg = sh_backend(account, region)._get_org_config()
        admin = cfg.get("admin_account_id")
        return {"AdminAccounts": [{"AccountId": admin, "Status": "ENABLED"}] if admin else []}
    sh_check_enabled(account, region)
    with STATE.lock:
        if op == "CreateFindingAggregator":
            if account in STATE.sh_aggregators:
                raise ApiError(400, "InvalidInputException",
                               "a finding aggregator already exists for this account")
            agg = {"FindingAggregatorArn":
                   f"arn:aws:securityhub:{region}:{account}:finding-aggregator/{uuid.uuid4()}",
                   "FindingAggregationRegion": region}
            _sh_aggregator_body(json_body(environ), agg)
            STATE.sh_aggregators[account] = agg
            return agg
        if op == "UpdateFindingAggregator":
            body = json_body(environ)
            agg = STATE.sh_aggregators.get(account)
            if not agg or agg["FindingAggregatorArn"] != body.get("FindingAggregatorArn"):
                raise ApiError(404, "ResourceNotFoundException", "finding aggregator not found")
            if agg["FindingAggregationRegion"] != region:
                raise ApiError(400, "InvalidInputException", "call this from the home region")
            _sh_aggregator_body(body, agg)
            return agg
        if op == "ListFindingAggregators":
            # The account's aggregator, listed from any region.
            agg = STATE.sh_aggregators.get(account)
            return {"FindingAggregators": [{"FindingAggregatorArn": agg["FindingAggregatorArn"]}]
                    if agg else []}
        if op == "GetFindingAggregator":
            agg = STATE.sh_aggregators.get(account)
            if not agg or agg["FindingAggregatorArn"] != arg:
                raise ApiError(404, "ResourceNotFoundException", f"no finding aggregator {arg}")
            return agg
        key = (account, region)
        if op == "ListEnabledProductsForImport":
            disabled = STATE.sh_disabled.get(key, set())
            subs = [_sh_subscription(account, region, p) for p in SH_DEFAULT_PRODUCTS]
            subs = [s for s in subs if s not in disabled] + sorted(STATE.sh_enabled.get(key, set()))
            page, nxt = _paginate(subs, q.get("MaxResults"), q.get("NextToken"))
            out = {"ProductSubscriptions": page}
            if nxt:
                out["NextToken"] = nxt
            return out
        if op == "EnableImportFindingsForProduct":
            product = json_body(environ).get("ProductArn", "")
            # arn:aws:securityhub:<region>::product/<company>/<product>
            name = product.split(":product/", 1)[-1]
            sub = _sh_subscription(account, region, name)
            STATE.sh_disabled.setdefault(key, set()).discard(sub)
            if name not in SH_DEFAULT_PRODUCTS:
                STATE.sh_enabled.setdefault(key, set()).add(sub)
            return {"ProductSubscriptionArn": sub}
        if op == "DisableImportFindingsForProduct":
            STATE.sh_disabled.setdefault(key, set()).add(arg)
            STATE.sh_enabled.setdefault(key, set()).discard(arg)
            return {}
        rules = STATE.sh_rules.setdefault(key, [])
        if op == "CreateAutomationRule":
            body = json_body(environ)
            for field in ("RuleOrder", "RuleName", "Description", "Criteria", "Actions"):
                if field not in body:
                    raise ApiError(400, "InvalidInputException", f"{field} is required")
            now = _now_iso()
            rule = {"RuleArn": f"arn:aws:securityhub:{region}:{account}:automation-rule/{uuid.uuid4()}",
                    "RuleStatus": body.get("RuleStatus", "ENABLED"),
                    "RuleOrder": int(body["RuleOrder"]), "RuleName": body["RuleName"],
                    "Description": body["Description"], "IsTerminal": bool(body.get("IsTerminal", False)),
                    "Criteria": body["Criteria"], "Actions": body["Actions"],
                    "CreatedAt": now, "UpdatedAt": now,
                    "CreatedBy": f"arn:aws:iam::{account}:root"}
            rules.append(rule)
            return {"RuleArn": rule["RuleArn"]}
        if op == "ListAutomationRules":
            meta = [{k: r[k] for k in ("RuleArn", "RuleStatus", "RuleOrder", "RuleName",
                                       "Description", "IsTerminal", "CreatedAt", "UpdatedAt",
                                       "CreatedBy")} for r in rules]
            page, nxt = _paginate(meta, q.get("MaxResults"), q.get("NextToken"))
            out = {"AutomationRulesMetadata": page}
            if nxt:
                out["NextToken"] = nxt
            return out
        if op == "BatchGetAutomationRules":
            arns = json_body(environ).get("AutomationRulesArns") or []
            if not 1 <= len(arns) <= 100:
                raise ApiError(400, "InvalidInputException", "1 to 100 AutomationRulesArns")
            by_arn = {r["RuleArn"]: r for r in rules}
            return {"Rules": [by_arn[a] for a in arns if a in by_arn],
                    "UnprocessedAutomationRules": [
                        {"RuleArn": a, "ErrorCode": 404, "ErrorMessage": "rule not found"}
                        for a in arns if a not in by_arn]}
    raise ApiError(400, "InvalidInputException", f"unsupported operation {op}")


# --------------------------------------------------------------------------
# WSGI layer
# --------------------------------------------------------------------------
class AlertpathApp:
    def __init__(self, moto_app, quiet: bool = False):
        self.moto_app = moto_app
        self.quiet = quiet

    def control(self, environ, start_response, path: str, method: str):
        if path == "/_alertpath/health":
            return respond(start_response, 200, {"ok": True})
        if path == "/_alertpath/region-opt" and method == "POST":
            b = json_body(environ)
            items = b if isinstance(b, list) else [b]
            for it in items:
                st = it.get("status")
                if st not in OPT_STATUSES or it.get("region") not in ALL_REGIONS:
                    raise ApiError(400, "ValidationException", f"bad region-opt item {it}")
                with STATE.lock:
                    STATE.region_opt[(str(it.get("account") or DEFAULT_ACCOUNT), it["region"])] = st
            return respond(start_response, 200, {"ok": True})
        if path == "/_alertpath/reset" and method == "POST":
            STATE.reset()
            return respond(start_response, 200, {"ok": True})
        if path == "/_alertpath/state":
            with STATE.lock:
                return respond(start_response, 200, {
                    "members": {"/".join(k): v for k, v in STATE.members.items()},
                    "org_config": {"/".join(k): v for k, v in STATE.org_config.items()},
                    "destinations": {"/".join(k): v for k, v in STATE.destinations.items()},
                    "region_opt": {"/".join(k): v for k, v in STATE.region_opt.items()},
                    "securityhub_aggregators": STATE.sh_aggregators,
                    "securityhub_rules": {"/".join(k): v for k, v in STATE.sh_rules.items()},
                })
        raise ApiError(404, "NotFound", f"unknown control endpoint {method} {path}")

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path.startswith("/moto-api/reset"):
                for c in ACCOUNT_CACHE:
                    c.clear()
                STATE.reset()
            if path.startswith("/_alertpath/"):
                return self.control(environ, start_response, path, method)
            akid, region, service = sigv4_scope(environ)
            if path.startswith("/service/") and _CBOR_PATH.match(path) and service:
                return cbor_bridge(self.moto_app, environ, start_response, service)
            if service == "guardduty":
                op, det = gd_route(method, path)
                if op:
                    acc = account_for(environ, akid)
                    return respond(start_response, 200, gd_handle(op, det, environ, acc, region))
            elif service == "securityhub":
                op, arg = sh_route(method, path)
                if op:
                    acc = account_for(environ, akid)
                    return respond(start_response, 200, sh_handle(op, arg, environ, acc, region))
            elif service == "account":
                op = account_route(method, path)
                if op:
                    acc = account_for(environ, akid)
                    return respond(start_response, 200, account_handle(op, environ, acc))
        except ApiError as e:
            return error_response(start_response, e)
        return self.moto_app(environ, start_response)


# --------------------------------------------------------------------------
# moto monkeypatches for things alertpath reads
# --------------------------------------------------------------------------
def apply_patches() -> list[str]:
    applied: list[str] = []
    from moto.guardduty import models as gdm

    orig_enable = gdm.GuardDutyBackend.enable_organization_admin_account

    def enable_admin(self, admin_account_id):  # dedupe repeated enables
        if admin_account_id not in self.admin_account_ids:
            orig_enable(self, admin_account_id)

    gdm.GuardDutyBackend.enable_organization_admin_account = enable_admin
    applied.append("guardduty.EnableOrganizationAdminAccount: idempotent")

    # KMS: AWS-managed aliases alertpath meets on SNS topics / SQS queues.
    from moto.kms import models as kmsm
    from moto.kms import utils as kmsu

    for alias, kid in (("alias/aws/sns", "a1b2c3d4-0000-4000-8000-00000000053e"),
                       ("alias/aws/sqs", "a1b2c3d4-0000-4000-8000-0000000005e5")):
        if alias not in kmsu.RESERVED_ALIASES:
            kmsu.RESERVED_ALIASE_TARGET_KEY_IDS[alias] = kid
            kmsu.RESERVED_ALIASES.append(alias)  # same list object models/responses use
    orig_gen = kmsm.KmsBackend._generate_default_keys

    def gen_default(self, alias_name):
        kid = orig_gen(self, alias_name)
        if kid and kid in self.keys:
            self.keys[kid].key_manager = "AWS"
            self.keys[kid].description = f"Default key that protects my {alias_name.split('/')[-1].upper()} data when no other key is defined"
        return kid

    kmsm.KmsBackend._generate_default_keys = gen_default
    applied.append("kms: alias/aws/sns and alias/aws/sqs resolve (KeyManager=AWS)")

    # CloudTrail: members see the management account's organization trails
    # (as in AWS, with includeShadowTrails, the default).
    from moto.cloudtrail import models as ctm
    from moto.organizations.models import organizations_backends

    orig_describe = ctm.CloudTrailBackend.describe_trails

    def describe_trails(self, include_shadow_trails):
        trails = list(orig_describe(self, include_shadow_trails))
        if include_shadow_trails:
            mgmt = organizations_backends.master_accounts.get(self.account_id)
            if mgmt and mgmt[0] != self.account_id:
                for be in ctm.cloudtrail_backends[mgmt[0]].values():
                    for t in list(be.trails.values()):
                        if getattr(t, "is_org_trail", False) and (
                                t.is_multi_region or t.region_name == self.region_name):
                            trails.append(t)
        return trails

    ctm.CloudTrailBackend.describe_trails = describe_trails
    applied.append("cloudtrail: organization trails visible from member accounts")

    # Organizations: CreateAccount with Email "account-<12 digits>@..." gets
    # that account id, so a seeded organization can hold the account a
    # Terraform fixture names (seed.py parity). Other emails: random, as moto.
    from moto.organizations import models as orgm

    orig_account_init = orgm.FakeAccount.__init__
    orig_random_id = orgm.utils.make_random_account_id
    chosen_id = re.compile(r"^account-(\d{12})@")
    chosen = threading.local()

    def account_id() -> str:
        return getattr(chosen, "id", None) or orig_random_id()

    def account_init(self, organization, **kwargs):
        m = chosen_id.match(kwargs.get("Email", ""))
        chosen.id = m.group(1) if m else None
        try:
            orig_account_init(self, organization, **kwargs)
        finally:
            chosen.id = None

    orgm.utils.make_random_account_id = account_id

    orgm.FakeAccount.__init__ = account_init
    applied.append("organizations.CreateAccount: account-<id>@ emails choose the account id")

    # Speed: moto resolves the caller's account by scanning every account's
    # IAM backend on every request (O(accounts)); memoise it.  Access key ids
    # are unique and never move, so caching misses (static keys such as
    # "test" -> 123456789012) is safe too.  Cleared by POST /moto-api/reset.
    from moto.iam import models as iamm

    orig_get = iamm.get_account_id_from
    cache: dict[str, str] = {}

    def get_account_id_from(access_key):
        acc = cache.get(access_key)
        if acc is None:
            acc = cache[access_key] = orig_get(access_key)
        return acc

    iamm.get_account_id_from = get_account_id_from
    ACCOUNT_CACHE.append(cache)
    applied.append("iam.get_account_id_from: memoised")
    return applied


def build_app(quiet: bool):
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    moto_app = DomainDispatcherApplication(create_backend_app)
    return moto_app, AlertpathApp(moto_app, quiet)


def warm(moto_app) -> None:
    for svc in WARM_SERVICES:
        try:
            with moto_app.lock:
                if svc not in moto_app.app_instances:
                    moto_app.app_instances[svc] = moto_app.create_app(svc)
        except Exception as e:  # noqa: BLE001
            print(f"moto_server: warm-up of {svc} failed: {e}", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="written with the bound port once ready")
    ap.add_argument("--quiet", action="store_true", help="no per-request log lines")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args()

    t0 = time.time()
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
    try:
        from werkzeug.serving import make_server
        from moto.moto_server.werkzeug_app import MotoRequestHandler
    except ImportError as e:
        print(f"moto_server: cannot import moto/werkzeug ({e}); run setup.sh and use its python",
              file=sys.stderr)
        return 3

    patches = apply_patches()
    moto_app, app = build_app(args.quiet)

    class Handler(MotoRequestHandler):
        def setup(self):
            super().setup()
            try:  # avoid Nagle/delayed-ACK stalls on keep-alive connections
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

        def log_request(self, *a, **k):
            if args.verbose:
                super().log_request(*a, **k)

    try:  # werkzeug hides the bind error behind its own message + exit(1): probe first
        probe = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((args.host, args.port))
        probe.close()
    except OSError as e:
        print(f"moto_server: cannot bind {args.host}:{args.port}: {e}", file=sys.stderr)
        return 2
    try:
        server = make_server(args.host, args.port, app, threaded=True, request_handler=Handler)
    except (OSError, SystemExit) as e:  # werkzeug prints and sys.exit(1)s on EADDRINUSE
        print(f"moto_server: cannot bind {args.host}:{args.port}: {e if isinstance(e, OSError) else 'address already in use'}", file=sys.stderr)
        return 2
    server.daemon_threads = True
    port = server.server_address[1]
    warm(moto_app)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.port_file:
        tmp = f"{args.port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"moto_server: listening on http://{args.host}:{port} "
          f"(ready in {time.time() - t0:.1f}s; patches: {len(patches)})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        if args.port_file:
            try:
                os.remove(args.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
