#!/usr/bin/env python3
"""Seed an AWS Organization into moto_server.py (talk to moto directly, not
through the fault proxy) and print a JSON manifest on stdout.

  seed.py --endpoint URL healthy [--accounts N] [--regions us-east-1,eu-west-1]
  seed.py --endpoint URL demo
  seed.py --endpoint URL parity   (tests/fixtures/terraform/parity as the admin 111111111111)
  seed.py --endpoint URL securityhub   (the only route goes through Security Hub: a working
                                        and a broken (unlinked) region)
  seed.py --endpoint URL bench   [--accounts N] [--regions r1,r2] [--workers K]

--accounts N counts every account of the organization, the management
account (123456789012) and the security (GuardDuty delegated admin) account
included; N >= 2.  Progress and timings go to stderr.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

# Filter pattern of the metric filter on notify-slack's log group. It must
# match the HTTP error lines notify_slack.py logs (urllib.error.HTTPError is
# logged as "HTTP Error 4xx/5xx: ..."). Change it here if the notifier changes.
NOTIFY_SLACK_ERROR_PATTERN = '"HTTP Error"'
NOTIFY_SLACK_ERROR_METRIC = ("NotifySlackHttpErrors", "Alerting/GuardDuty")

MGMT_ACCOUNT = "123456789012"
AUDIT_ROLE = "alertpath-audit"
ACCESS_ROLE = "OrganizationAccountAccessRole"
GD_RULE = "guardduty-finding-events"
GD_PATTERN = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
# The Security Hub console's pattern for new GuardDuty findings (a Security Hub route).
SH_PATTERN = {"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
              "detail": {"findings": {"ProductName": ["GuardDuty"], "Workflow": {"Status": ["NEW"]}}}}
ROOT_RULE = "root-console-signin"
ROOT_PATTERN = {"detail-type": ["AWS Console Sign In via CloudTrail"],
                "detail": {"userIdentity": {"type": ["Root"]}}}
SLACK_FUNCTION = "notify_slack"

# Planted secrets: tests grep alertpath's output for these.
PD_KEY_MARKER = "0123456789abcdef0123456789abcdef"
SLACK_WEBHOOK_MARKER = "https://hooks.slack.com/services/T000LEAK/B000LEAK/SECRETLEAKMARKER"
SSM_MARKER = "SSM-SECRET-LEAK-MARKER"

NOTIFY_SLACK_SRC = '''import json, logging, os, urllib.request
log = logging.getLogger(); log.setLevel(logging.INFO)
def lambda_handler(event, context):
    for rec in event.get("Records", []):
        msg = rec["Sns"]["Message"]
        req = urllib.request.Request(os.environ["SLACK_WEBHOOK_URL"], data=json.dumps({"text": msg}).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=5)
        except urllib.error.HTTPError as e:
            log.error("HTTP Error %s: %s", e.code, e.reason)
            raise
'''

CFG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60,
             max_pool_connections=50)


def log(msg: str) -> None:
    print(f"seed: {msg}", file=sys.stderr, flush=True)


def hex32(seed: str) -> str:
    return hashlib.md5(seed.encode()).hexdigest()  # noqa: S324 - deterministic fake key


def fake_kms_ciphertext(seed: str) -> str:
    raw = b"\x01\x02\x02\x00x" + hashlib.sha512(seed.encode()).digest() * 2
    return base64.b64encode(raw).decode()


_ZIP = None


def lambda_zip() -> bytes:
    global _ZIP
    if _ZIP is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("notify_slack.py", NOTIFY_SLACK_SRC)
        _ZIP = buf.getvalue()
    return _ZIP


class Clients:
    """boto3 clients for one set of credentials; a boto3 Session per thread
    (Session objects are not thread-safe) so model loading is cached."""

    _tls = threading.local()

    def __init__(self, endpoint: str, creds: dict | None = None):
        self.endpoint = endpoint
        self.creds = creds or {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        self._cache: dict = {}

    @classmethod
    def _session(cls) -> boto3.Session:
        s = getattr(cls._tls, "s", None)
        if s is None:
            s = cls._tls.s = boto3.Session()
        return s

    def __call__(self, svc: str, region: str = "us-east-1"):
        k = (svc, region, threading.get_ident())
        c = self._cache.get(k)
        if c is None:
            c = self._session().client(svc, region_name=region, endpoint_url=self.endpoint, config=CFG,
                                       **self.creds)
            self._cache[k] = c
        return c


def topic_policy(arn: str, owner: str, publishers: list[tuple[str, dict | None]], resource: str | None = None) -> str:
    res = resource or arn
    stmts = [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                   "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                   "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
        "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
    }]
    for i, (svc, cond) in enumerate(publishers):
        st = {"Sid": f"Allow{svc.split('.')[0].capitalize()}Publish{i}", "Effect": "Allow",
              "Principal": {"Service": svc}, "Action": "sns:Publish", "Resource": res}
        if cond:
            st["Condition"] = cond
        stmts.append(st)
    return json.dumps({"Version": "2012-10-17", "Id": "__default_policy_ID", "Statement": stmts})


def make_topic(c: Clients, region: str, acct: str, name: str, publishers, resource=None) -> str:
    sns = c("sns", region)
    arn = sns.create_topic(Name=name)["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                             AttributeValue=topic_policy(arn, acct, publishers, resource))
    return arn


def https_sub(c: Clients, region: str, topic: str, url: str) -> str:
    return c("sns", region).subscribe(TopicArn=topic, Protocol="https", Endpoint=url,
                                      ReturnSubscriptionArn=True)["SubscriptionArn"]


def put_alarm(c: Clients, region: str, name: str, ns: str, metric: str, dims: dict, action: str) -> None:
    c("cloudwatch", region).put_metric_alarm(
        AlarmName=name, Namespace=ns, MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
        AlarmActions=[action])


class Seeder:
    def __init__(self, endpoint: str, regions: list[str], workers: int):
        self.ep = endpoint
        self.regions = regions
        self.workers = max(1, workers)
        self.mgmt = Clients(endpoint)
        self.accounts: list[dict] = []
        self.sessions: dict[str, Clients] = {MGMT_ACCOUNT: self.mgmt}
        self.expected: dict = {"regions": {}}
        self.gaps: list[dict] = []
        self.timings: dict[str, float] = {}

    # ---------------------------------------------------------------- org
    def create_org(self, names: list[str]) -> None:
        t = time.time()
        org = self.mgmt("organizations")
        try:
            org.create_organization(FeatureSet="ALL")
        except org.exceptions.AlreadyInOrganizationException:
            raise SystemExit("seed: the endpoint already holds an organization; start a fresh moto_server.py")
        o = org.describe_organization()["Organization"]
        self.org_id = o["Id"]
        root = org.list_roots()["Roots"][0]["Id"]
        self.root_id = root
        ous = {n: org.create_organizational_unit(ParentId=root, Name=n)["OrganizationalUnit"]["Id"]
               for n in ("Security", "Workloads")}
        self.accounts.append({"id": MGMT_ACCOUNT, "name": "management", "kind": "management",
                              "email": o.get("MasterAccountEmail", "master@example.com"), "ou": root})
        for n in names:
            st = org.create_account(Email=f"{n}@example.com", AccountName=n)["CreateAccountStatus"]
            kind = "security" if n == "security" else "workload"
            ou = ous["Security" if kind == "security" else "Workloads"]
            org.move_account(AccountId=st["AccountId"], SourceParentId=root, DestinationParentId=ou)
            self.accounts.append({"id": st["AccountId"], "name": n, "kind": kind,
                                  "email": f"{n}@example.com", "ou": ou})
        for svc in ("guardduty.amazonaws.com", "cloudtrail.amazonaws.com"):
            org.enable_aws_service_access(ServicePrincipal=svc)
        self.security = next(a["id"] for a in self.accounts if a["kind"] == "security")
        org.register_delegated_administrator(AccountId=self.security, ServicePrincipal="guardduty.amazonaws.com")
        self.ous = ous
        self.timings["organization"] = time.time() - t
        log(f"organization {self.org_id}: {len(self.accounts)} accounts ({self.timings['organization']:.1f}s)")

    def assume(self, acct: dict) -> Clients:
        if acct["id"] == MGMT_ACCOUNT:
            c = self.mgmt
        else:
            cr = self.mgmt("sts").assume_role(
                RoleArn=f"arn:aws:iam::{acct['id']}:role/{ACCESS_ROLE}",
                RoleSessionName="alertpath-seed")["Credentials"]
            c = Clients(self.ep, {"aws_access_key_id": cr["AccessKeyId"],
                                  "aws_secret_access_key": cr["SecretAccessKey"],
                                  "aws_session_token": cr["SessionToken"]})
        iam = c("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT_ACCOUNT}:root"},
            "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=AUDIT_ROLE, AssumeRolePolicyDocument=json.dumps(trust),
                        Description="alertpath read-only audit role")
        # moto does not load AWS managed policies (SecurityAudit) by default: inline read-only policy
        iam.put_role_policy(RoleName=AUDIT_ROLE, PolicyName="alertpath-read-only", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "guardduty:Get*", "guardduty:List*", "guardduty:Describe*", "events:List*", "events:Describe*",
                "sns:Get*", "sns:List*", "lambda:Get*", "lambda:List*", "cloudwatch:Describe*",
                "logs:Describe*", "cloudtrail:Describe*", "cloudtrail:Get*", "ssm:DescribeParameters",
                "kms:DescribeKey", "kms:GetKeyPolicy", "account:ListRegions", "account:GetRegionOptStatus",
                "securityhub:Describe*", "securityhub:List*", "securityhub:Get*", "securityhub:BatchGet*",
                "organizations:Describe*", "organizations:List*"]}]}))
        acct["role_arn"] = f"arn:aws:iam::{acct['id']}:role/{ACCESS_ROLE}"
        acct["audit_role_arn"] = f"arn:aws:iam::{acct['id']}:role/{AUDIT_ROLE}"
        self.sessions[acct["id"]] = c
        return c

    def pmap(self, fn, items) -> list:
        if self.workers == 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(self.workers) as ex:
            return list(ex.map(fn, items))

    # ------------------------------------------------------- per account
    def account_setup(self, acct: dict, spec: dict) -> None:
        """Detectors in every region and the root sign-in rule in us-east-1."""
        c = self.assume(acct)
        acct["detectors"] = {}
        for region in self.regions:
            mode = spec.get("detector", {}).get((acct["name"], region), "ENABLED")
            if mode == "NONE":
                continue
            freq = "FIFTEEN_MINUTES" if acct["id"] == self.security else "SIX_HOURS"
            det = c("guardduty", region).create_detector(
                Enable=(mode == "ENABLED"), FindingPublishingFrequency=freq)["DetectorId"]
            acct["detectors"][region] = {"id": det, "status": "ENABLED" if mode == "ENABLED" else "DISABLED",
                                         "finding_publishing_frequency": freq}
        if "us-east-1" in self.regions or spec.get("root_rule_always", True):
            self.root_signin(c, acct)
        if acct["id"] not in (self.security, MGMT_ACCOUNT):
            c._cache.clear()  # boto3 clients are ~1 MB each; keep only the admin's

    def root_signin(self, c: Clients, acct: dict) -> None:
        r = "us-east-1"
        topic = make_topic(c, r, acct["id"], "root-login",
                           [("events.amazonaws.com", {"StringEquals": {"aws:SourceAccount": acct["id"]}})])
        https_sub(c, r, topic, f"https://events.pagerduty.com/integration/{hex32('root' + acct['id'])}/enqueue")
        ev = c("events", r)
        ev.put_rule(Name=ROOT_RULE, EventPattern=json.dumps(ROOT_PATTERN), State="ENABLED",
                    Description="Page on root console sign-in")
        ev.put_targets(Rule=ROOT_RULE, Targets=[{"Id": "root-login-pager", "Arn": topic}])
        acct["root_signin"] = {"rule": ROOT_RULE, "topic": topic}

    # ---------------------------------------------------------- admin chain
    def admin_region(self, region: str, spec: dict) -> None:
        adm = self.security
        c = self.sessions[adm]
        g = lambda k, d=None: spec.get("chain", {}).get(region, {}).get(k, d)  # noqa: E731
        # delegated admin, enabled from the management account
        self.mgmt("guardduty", region).enable_organization_admin_account(AdminAccountId=adm)
        acct = next(a for a in self.accounts if a["id"] == adm)
        det = acct["detectors"][region]["id"]
        gd = c("guardduty", region)
        gd.update_organization_configuration(DetectorId=det, AutoEnableOrganizationMembers=g("auto_enable", "ALL"))
        skip = set(g("not_enrolled", []))
        details = [{"AccountId": a["id"], "Email": a["email"]} for a in self.accounts
                   if a["id"] != adm and a["name"] not in skip]
        for i in range(0, len(details), 50):
            gd.create_members(DetectorId=det, AccountDetails=details[i:i + 50])
        exp = {"admin_account": adm, "admin_detector": det, "auto_enable": g("auto_enable", "ALL"),
               "members_enabled": sorted(d["AccountId"] for d in details),
               "not_enrolled": sorted(a["id"] for a in self.accounts if a["name"] in skip)}

        # topics
        ev_pub = [("events.amazonaws.com", {"StringEquals": {"aws:SourceAccount": adm}})]
        placeholder = g("pager_policy_placeholder", False)
        pager_res = f"arn:aws:sns:region:account-id:gd-pager" if placeholder else None
        pager = make_topic(c, region, adm, "gd-pager", ev_pub, resource=pager_res)
        slack = make_topic(c, region, adm, "gd-slack", ev_pub)
        failover = make_topic(c, region, adm, "gd-failover",
                              [("cloudwatch.amazonaws.com", {"StringEquals": {"aws:SourceAccount": adm}})])
        pd_key = g("pd_key") or hex32(f"pager{region}{adm}")
        https_sub(c, region, pager, f"https://events.pagerduty.com/integration/{pd_key}/enqueue")
        https_sub(c, region, failover,
                  f"https://events.pagerduty.com/integration/{hex32('failover' + region)}/enqueue")

        # notifier lambda
        iam = c("iam")
        role_name = "notify-slack-role"
        try:
            iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                    "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
        except iam.exceptions.EntityAlreadyExistsException:
            pass
        lam = c("lambda", region)
        webhook = g("slack_env") or fake_kms_ciphertext(f"slack{region}")
        fn = lam.create_function(
            FunctionName=SLACK_FUNCTION, Runtime="python3.12",
            Role=f"arn:aws:iam::{adm}:role/{role_name}", Handler="notify_slack.lambda_handler",
            Code={"ZipFile": lambda_zip()}, Timeout=10,
            Environment={"Variables": {"SLACK_WEBHOOK_URL": webhook}})["FunctionArn"]
        lam.add_permission(FunctionName=SLACK_FUNCTION, StatementId="sns-gd-slack",
                           Action="lambda:InvokeFunction", Principal="sns.amazonaws.com", SourceArn=slack)
        c("sns", region).subscribe(TopicArn=slack, Protocol="lambda", Endpoint=fn)

        # EventBridge rule: on GuardDuty findings, or (a Security Hub route) on
        # Security Hub's imported findings in its home region only
        ev = c("events", region)
        sh = spec.get("securityhub")
        if sh:
            exp["securityhub"] = self.securityhub_region(c, region, sh)
        if not sh or region == sh["home"]:
            pattern = SH_PATTERN if sh else GD_PATTERN
            ev.put_rule(Name=GD_RULE, EventPattern=json.dumps(pattern), State="ENABLED",
                        Description="GuardDuty findings to pager and Slack")
            ev.put_targets(Rule=GD_RULE, Targets=[{"Id": "gd-pager", "Arn": pager},
                                                  {"Id": "gd-slack", "Arn": slack}])

        # alarms to gd-failover
        err_ns = g("error_alarm_namespace", "AWS/Lambda")
        put_alarm(c, region, "notify-slack-errors", err_ns, "Errors", {"FunctionName": SLACK_FUNCTION}, failover)
        put_alarm(c, region, "gd-pager-delivery-failures", "AWS/SNS", "NumberOfNotificationsFailed",
                  {"TopicName": "gd-pager"}, failover)
        put_alarm(c, region, "gd-rule-failed-invocations", "AWS/Events", "FailedInvocations",
                  {"RuleName": GD_RULE}, failover)
        logs = c("logs", region)
        lg = f"/aws/lambda/{SLACK_FUNCTION}"
        logs.create_log_group(logGroupName=lg)
        mname, mns = NOTIFY_SLACK_ERROR_METRIC
        logs.put_metric_filter(logGroupName=lg, filterName="notify-slack-http-errors",
                               filterPattern=NOTIFY_SLACK_ERROR_PATTERN,
                               metricTransformations=[{"metricName": mname, "metricNamespace": mns,
                                                       "metricValue": "1", "defaultValue": 0.0}])
        put_alarm(c, region, "notify-slack-http-errors", mns, mname, {}, failover)

        # GuardDuty suppression rules (ARCHIVE filters) and an S3 export
        filters = []
        for f in g("suppression", []):
            gd.create_filter(DetectorId=det, Name=f["name"], Action="ARCHIVE", Rank=len(filters) + 1,
                             Description=f.get("description", ""),
                             FindingCriteria={"Criterion": f["criterion"]})
            filters.append(f["name"])
        exp["suppression_rules"] = filters
        if g("s3_export"):
            bucket = f"gd-findings-{adm}-{region}"  # the export's target; alertpath never reads it
            exp["publishing_destination"] = gd.create_publishing_destination(
                DetectorId=det, DestinationType="S3",
                DestinationProperties={"DestinationArn": f"arn:aws:s3:::{bucket}",
                                       "KmsKeyArn": f"arn:aws:kms:{region}:{adm}:key/{hex32('gd-export')[:8]}-0000-4000-8000-000000000000"},
            )["DestinationId"]

        ssm = c("ssm", region)
        ssm.put_parameter(Name="/alerting/slack_webhook_url", Value=g("ssm_value", SSM_MARKER),
                          Type="SecureString", Description="Slack webhook for notify_slack")
        if g("plaintext_pd_param"):
            ssm.put_parameter(Name="/alerting/pagerduty_integration_key", Value=SSM_MARKER, Type="String")

        exp.update({"rule": GD_RULE, "topics": {"gd-pager": pager, "gd-slack": slack, "gd-failover": failover},
                    "pager_endpoint_key": pd_key, "notifier": fn, "error_alarm_namespace": err_ns,
                    "pager_policy_placeholder": placeholder,
                    "alarms": ["notify-slack-errors", "gd-pager-delivery-failures",
                               "gd-rule-failed-invocations", "notify-slack-http-errors"],
                    "metric_filter": {"log_group": lg, "pattern": NOTIFY_SLACK_ERROR_PATTERN}})
        self.expected["regions"][region] = exp

    def securityhub_region(self, c: Clients, region: str, sh: dict) -> dict:
        """Security Hub CSPM in the admin: hub, members (Enabled), and in the home
        region the finding aggregator linking `sh["linked"]` and an automation
        rule that suppresses only vulnerability findings (none of the samples)."""
        adm = self.security
        hub = c("securityhub", region)
        hub.enable_security_hub(EnableDefaultStandards=False)
        hub.create_members(AccountDetails=[{"AccountId": a["id"]} for a in self.accounts if a["id"] != adm])
        out = {"hub": hub.describe_hub()["HubArn"]}
        if region == sh["home"]:
            out["aggregator"] = hub.create_finding_aggregator(
                RegionLinkingMode="SPECIFIED_REGIONS", Regions=sh["linked"])["FindingAggregatorArn"]
            out["automation_rule"] = hub.create_automation_rule(
                RuleName="suppress-vulnerability-noise", RuleOrder=1, IsTerminal=False,
                Description="suppress vulnerability findings (not GuardDuty's)",
                Criteria={"Type": [{"Value": "Software and Configuration Checks/Vulnerabilities",
                                    "Comparison": "PREFIX"}]},
                Actions=[{"Type": "FINDING_FIELDS_UPDATE",
                          "FindingFieldsUpdate": {"Workflow": {"Status": "SUPPRESSED"}}}])["RuleArn"]
        return out

    def org_trail(self) -> None:
        s3 = self.mgmt("s3")
        bucket = f"org-trail-{self.org_id}".lower()
        s3.create_bucket(Bucket=bucket)
        ct = self.mgmt("cloudtrail")
        arn = ct.create_trail(Name="org-trail", S3BucketName=bucket, IsMultiRegionTrail=True,
                              IsOrganizationTrail=True, IncludeGlobalServiceEvents=True)["TrailARN"]
        ct.start_logging(Name="org-trail")
        self.expected["org_trail"] = {"arn": arn, "multi_region": True, "logging": True}

    # ------------------------------------------------------------- runs
    def run(self, names: list[str], spec: dict) -> dict:
        t0 = time.time()
        self.create_org(names)
        t = time.time()
        self.pmap(lambda a: self.account_setup(a, spec), self.accounts)
        self.timings["accounts"] = time.time() - t
        log(f"accounts: assume/audit role/detectors/root rule ({self.timings['accounts']:.1f}s)")
        t = time.time()
        if spec.get("securityhub"):
            # The Security Hub delegated administrator, from the management account.
            self.mgmt("securityhub").enable_organization_admin_account(AdminAccountId=self.security)
        self.pmap(lambda r: self.admin_region(r, spec), self.regions)
        self.org_trail()
        self.timings["admin_chain"] = time.time() - t
        self.timings["total"] = time.time() - t0
        log(f"admin chain ({self.timings['admin_chain']:.1f}s); total {self.timings['total']:.1f}s")
        return self.manifest()

    def manifest(self) -> dict:
        return {
            "endpoint": self.ep,
            "management_account": MGMT_ACCOUNT,
            "organization_id": self.org_id,
            "root_id": self.root_id,
            "ous": self.ous,
            "security_account": self.security,
            "regions": self.regions,
            "audit_role": AUDIT_ROLE,
            "accounts": self.accounts,
            "expected": self.expected,
            "gaps": self.gaps,
            "faults": [],
            "planted_secrets": [],
            "timings_s": {k: round(v, 2) for k, v in self.timings.items()},
        }


def names_for(n: int) -> list[str]:
    if n < 2:
        raise SystemExit("seed: --accounts must be >= 2 (management + security)")
    return ["security"] + [f"workload-{i:03d}" for i in range(1, n - 1)]


def scenario_healthy(ep: str, n: int, regions: list[str], workers: int) -> dict:
    s = Seeder(ep, regions, workers)
    m = s.run(names_for(n), {})
    m["scenario"] = "healthy"
    m["planted_secrets"] = [{"marker": SSM_MARKER, "where": "ssm SecureString /alerting/slack_webhook_url value "
                             "(security account, every region)"}]
    return m


# GuardDuty suppression rules of the demo: one hides pages, one only low-severity noise.
SUPPRESS_PAGES = {"name": "suppress-high-severity", "description": "mutes everything that pages",
                  "criterion": {"severity": {"GreaterThanOrEqual": 7}}}
SUPPRESS_NOISE = {"name": "suppress-low-severity-noise", "description": "low-severity noise",
                  "criterion": {"severity": {"LessThan": 4}}}


def scenario_demo(ep: str, workers: int) -> dict:
    regions = ["us-east-1", "eu-west-1"]
    r1, r2 = regions
    names = ["security", "app-prod", "app-staging", "data-prod", "sandbox", "shared-services", "legacy"]
    spec = {
        "detector": {("sandbox", r2): "NONE", ("app-staging", r1): "SUSPENDED"},
        "chain": {
            r1: {"pd_key": PD_KEY_MARKER, "not_enrolled": ["data-prod"],
                 "suppression": [SUPPRESS_PAGES]},
            r2: {"pager_policy_placeholder": True, "error_alarm_namespace": "notify-slack-notifications",
                 "slack_env": SLACK_WEBHOOK_MARKER, "plaintext_pd_param": True, "auto_enable": "NEW",
                 "suppression": [SUPPRESS_NOISE], "s3_export": True},
        },
    }
    s = Seeder(ep, regions, workers)
    m = s.run(names, spec)
    ids = {a["name"]: a["id"] for a in s.accounts}
    m["scenario"] = "demo"
    m["gaps"] = [
        {"kind": "no_detector", "account": ids["sandbox"], "name": "sandbox", "region": r2},
        {"kind": "detector_suspended", "account": ids["app-staging"], "name": "app-staging", "region": r1,
         "note": "UpdateDetector Enable=false; GetDetector Status=DISABLED"},
        {"kind": "member_not_enrolled", "account": ids["data-prod"], "name": "data-prod", "region": r1},
        {"kind": "auto_enable_new_only", "account": s.security, "region": r2},
        {"kind": "topic_policy_placeholder_arn", "account": s.security, "region": r2,
         "topic": m["expected"]["regions"][r2]["topics"]["gd-pager"],
         "resource": "arn:aws:sns:region:account-id:gd-pager"},
        {"kind": "error_alarm_wrong_namespace", "account": s.security, "region": r2,
         "alarm": "notify-slack-errors", "namespace": "notify-slack-notifications"},
        {"kind": "plaintext_webhook_env", "account": s.security, "region": r2, "function": SLACK_FUNCTION},
        {"kind": "plaintext_ssm_secret", "account": s.security, "region": r2,
         "parameter": "/alerting/pagerduty_integration_key"},
        {"kind": "suppression_rule_hides_pages", "account": s.security, "region": r1,
         "filter": SUPPRESS_PAGES["name"], "note": "ARCHIVE severity >= 7: GD006 and ROUTE001 fail"},
        {"kind": "suppression_rule_hides_noise", "account": s.security, "region": r2,
         "filter": SUPPRESS_NOISE["name"], "note": "ARCHIVE severity < 4: GD006 passes with a note; "
                                                   "ROUTE002 fails for the 2.0 sample"},
        {"kind": "findings_exported_to_s3", "account": s.security, "region": r2,
         "note": "a publishing destination: ROUTE hints name it"},
        {"kind": "audit_access_denied", "account": ids["legacy"], "name": "legacy",
         "note": "needs the proxy rule in faults"},
    ]
    m["faults"] = [{"service": "sts", "operation": "AssumeRole", "role_account": ids["legacy"],
                    "kind": "access_denied"}]
    m["planted_secrets"] = [
        {"marker": PD_KEY_MARKER, "where": f"gd-pager https subscription endpoint path ({r1})"},
        {"marker": SLACK_WEBHOOK_MARKER, "where": f"notify_slack env SLACK_WEBHOOK_URL ({r2})"},
        {"marker": SSM_MARKER, "where": "ssm /alerting/slack_webhook_url (SecureString) and "
                                        f"/alerting/pagerduty_integration_key (String, {r2}) values"},
    ]
    return m


# ----------------------------------------------------------------- parity
# tests/fixtures/terraform/parity built in moto by hand, resource for resource,
# for tests/it/live/terraform_parity.rs. Keep the two in step: every "PARITY BREAK" in
# parity/us-west-2.tf has a `broken` branch here.
PARITY_ACCOUNT = "111111111111"
PARITY_NOTIFIER = "gd-notify-slack"


def policy_document(policy_id: str, statements: list[tuple[str, str, str]], account: str) -> str:
    """What `data "aws_iam_policy_document"` renders: (sid, service, resource) statements."""
    return json.dumps({"Id": policy_id, "Version": "2012-10-17", "Statement": [{
        "Sid": sid, "Effect": "Allow", "Action": "sns:Publish", "Resource": resource,
        "Principal": {"Service": service},
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    } for sid, service, resource in statements]})


def parity_region(c: Clients, region: str, broken: bool) -> dict:
    acct = PARITY_ACCOUNT
    arn = lambda name: f"arn:aws:sns:{region}:{acct}:{name}"  # noqa: E731
    events = ("AllowEventBridgePublish", "events.amazonaws.com")
    alarms = ("AllowCloudWatchAlarmsPublish", "cloudwatch.amazonaws.com")

    gd = c("guardduty", region)
    det = gd.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS" if broken else "FIFTEEN_MINUTES")[
        "DetectorId"]
    gd.update_organization_configuration(DetectorId=det, AutoEnableOrganizationMembers="NONE" if broken else "ALL")
    if broken:  # the fixture's aws_guardduty_filter resources (PARITY BREAK: GD006, and low-severity noise)
        for rank, f in enumerate((SUPPRESS_PAGES, SUPPRESS_NOISE), start=1):
            gd.create_filter(DetectorId=det, Name=f["name"], Action="ARCHIVE", Rank=rank,
                             Description=f["description"], FindingCriteria={"Criterion": f["criterion"]})

    sns = c("sns", region)
    slack_publisher = alarms if broken else events
    topics = {}
    for name, pid, stmts in (
            ("gd-pager", "gd-pager-policy", [events, alarms]),
            ("gd-slack", "gd-slack-policy", [slack_publisher]),
            ("gd-failover", "gd-failover-policy", [alarms])):
        topics[name] = sns.create_topic(Name=name)["TopicArn"]
        sns.set_topic_attributes(TopicArn=topics[name], AttributeName="Policy", AttributeValue=policy_document(
            pid, [(sid, svc, arn(name)) for sid, svc in stmts], acct))
    https_sub(c, region, topics["gd-pager"], f"https://events.pagerduty.com/integration/{'0' * 32}/enqueue")
    https_sub(c, region, topics["gd-failover"], f"https://events.pagerduty.com/integration/{'1' * 32}/enqueue")
    if broken:
        sns.subscribe(TopicArn=topics["gd-failover"], Protocol="http", Endpoint="http://alerts.example.com/failover")

    # notify-slack: KMS-encrypted webhook, log group, function, SNS permission, subscription
    kms = c("kms", region)
    key = kms.create_key(Description="notify-slack webhook encryption")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    webhook = "https://hooks.slack.com/services/TSSM0000/BSSM0000/fromssmparameter"
    ssm = c("ssm", region)
    ssm.put_parameter(Name="/alerting/slack_webhook_url", Value=webhook, Type="SecureString")
    blob = base64.b64encode(kms.encrypt(KeyId=key["KeyId"], Plaintext=webhook.encode())["CiphertextBlob"]).decode()
    logs = c("logs", region)
    log_group = f"/aws/lambda/{PARITY_NOTIFIER}"
    logs.create_log_group(logGroupName=log_group)
    logs.put_retention_policy(logGroupName=log_group, retentionInDays=90)
    iam = c("iam")
    role = f"lambda-{PARITY_NOTIFIER}-{region}"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    lam = c("lambda", region)
    fn = lam.create_function(
        FunctionName=PARITY_NOTIFIER, Runtime="python3.11", Role=f"arn:aws:iam::{acct}:role/{role}",
        Handler="notify_slack.lambda_handler", Code={"ZipFile": lambda_zip()}, Timeout=30, Publish=True,
        KMSKeyArn=key["Arn"], Environment={"Variables": {
            "SLACK_WEBHOOK_URL": blob, "SLACK_CHANNEL": "#security-alerts",
            "SLACK_USERNAME": f"GuardDuty {region}", "SLACK_EMOJI": ":aws:", "LOG_EVENTS": "False"}})
    for qualifier in (fn["Version"], None):
        extra = {"Qualifier": qualifier} if qualifier else {}
        lam.add_permission(FunctionName=PARITY_NOTIFIER, StatementId="AllowExecutionFromSNS",
                           Action="lambda:InvokeFunction", Principal="sns.amazonaws.com",
                           SourceArn=topics["gd-slack"], **extra)
    function_arn = fn["FunctionArn"].removesuffix(f":{fn['Version']}")
    sns.subscribe(TopicArn=topics["gd-slack"], Protocol="lambda", Endpoint=function_arn)

    ev = c("events", region)
    ev.put_rule(Name=GD_RULE, Description="AWS GuardDuty event findings", State="ENABLED",
                EventPattern=json.dumps({"detail-type": ["GuardDuty Finding"], "source": ["aws.guardduty"]}))
    ev.put_targets(Rule=GD_RULE, Targets=[{"Id": "send-to-sns-slack", "Arn": topics["gd-slack"]},
                                          {"Id": "send-to-sns-pagerduty", "Arn": topics["gd-pager"]}])

    failover = topics["gd-failover"]
    put_alarm(c, region, "gd-notify-slack-errors", "notify-slack-notifications" if broken else "AWS/Lambda",
              "Errors", {"FunctionName": PARITY_NOTIFIER}, failover)
    if not broken:
        put_alarm(c, region, "gd-pager-delivery-failed", "AWS/SNS", "NumberOfNotificationsFailed",
                  {"TopicName": "gd-pager"}, failover)
    put_alarm(c, region, "gd-failover-delivery-failed", "AWS/SNS", "NumberOfNotificationsFailed",
              {"TopicName": "gd-failover"}, topics["gd-pager"])
    put_alarm(c, region, "gd-finding-rule-failed-invocations", "AWS/Events", "FailedInvocations",
              {"RuleName": GD_RULE}, failover)
    logs.put_metric_filter(logGroupName=log_group, filterName="gd-notify-slack-webhook-failures",
                           filterPattern='?"HTTP Error" ?"URLError" ?"invalid_token" ?"no_service"',
                           metricTransformations=[{"metricName": "WebhookFailures",
                                                   "metricNamespace": "Alerting/NotifySlack",
                                                   "metricValue": "1", "defaultValue": 0.0}])
    put_alarm(c, region, "gd-notify-slack-webhook-failures", "Alerting/NotifySlack", "WebhookFailures", {},
              failover)

    ssm.put_parameter(Name="/alerting/pagerduty_integration_key", Value="0" * 32,
                      Type="String" if broken else "SecureString")

    if region == "us-east-1":
        ev.put_rule(Name="root-account-console-login", Description="Root user signed in to the AWS console",
                    State="ENABLED", EventPattern=json.dumps(ROOT_PATTERN))
        ev.put_targets(Rule="root-account-console-login",
                       Targets=[{"Id": "send-to-sns-pagerduty", "Arn": topics["gd-pager"]}])
    return {"detector": det, "topics": topics, "notifier": function_arn, "broken": broken}


def scenario_parity(ep: str) -> dict:
    """An organization (management 123456789012) whose GuardDuty delegated
    admin is the parity fixture's account 111111111111, holding the fixture's
    stack in us-west-2 and us-east-1. Scan it from the management account."""
    regions = ["us-west-2", "us-east-1"]
    mgmt = Clients(ep)
    org = mgmt("organizations")
    org.create_organization(FeatureSet="ALL")
    made = org.create_account(Email=f"account-{PARITY_ACCOUNT}@alertpath.test", AccountName="security")
    if made["CreateAccountStatus"]["AccountId"] != PARITY_ACCOUNT:
        raise SystemExit("seed: moto_server.py did not honour the account-<id>@ email (is the patch applied?)")
    org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    org.register_delegated_administrator(AccountId=PARITY_ACCOUNT, ServicePrincipal="guardduty.amazonaws.com")
    for region in regions:
        mgmt("guardduty", region).enable_organization_admin_account(AdminAccountId=PARITY_ACCOUNT)
    cr = mgmt("sts").assume_role(RoleArn=f"arn:aws:iam::{PARITY_ACCOUNT}:role/{ACCESS_ROLE}",
                                 RoleSessionName="alertpath-parity")["Credentials"]
    c = Clients(ep, {"aws_access_key_id": cr["AccessKeyId"], "aws_secret_access_key": cr["SecretAccessKey"],
                     "aws_session_token": cr["SessionToken"]})
    c("iam").create_role(RoleName=AUDIT_ROLE, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{MGMT_ACCOUNT}:root"}}]}))
    built = {r: parity_region(c, r, broken=(r == "us-west-2")) for r in regions}
    return {"scenario": "parity", "endpoint": ep, "management_account": MGMT_ACCOUNT,
            "accounts": [{"id": MGMT_ACCOUNT, "kind": "management"}, {"id": PARITY_ACCOUNT, "kind": "security"}],
            "security_account": PARITY_ACCOUNT, "regions": built}


def scenario_securityhub(ep: str, workers: int) -> dict:
    """GuardDuty findings reach people only through Security Hub: the one rule
    (on `Security Hub Findings - Imported`) is in the home region us-east-1;
    the aggregator links eu-west-1 (a working Security Hub route) but not
    us-west-2 (broken: SH002, ROUTE001)."""
    regions = ["us-east-1", "eu-west-1", "us-west-2"]
    s = Seeder(ep, regions, workers)
    m = s.run(["security", "app-prod"], {"securityhub": {"home": "us-east-1", "linked": ["eu-west-1"]}})
    m["scenario"] = "securityhub"
    return m


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True, help="moto_server.py URL (not the fault proxy)")
    ap.add_argument("--workers", type=int, default=None, help="parallel threads (default: 1, bench: 8)")
    ap.add_argument("--output", help="also write the manifest to this file")
    sub = ap.add_subparsers(dest="scenario", required=True)
    for name in ("healthy", "bench"):
        p = sub.add_parser(name)
        p.add_argument("--accounts", type=int, default=4 if name == "healthy" else 200)
        p.add_argument("--regions", default="us-east-1,eu-west-1")
    sub.add_parser("demo")
    sub.add_parser("parity")
    sub.add_parser("securityhub")
    a = ap.parse_args()
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(k, None)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    t = time.time()
    if a.scenario == "demo":
        m = scenario_demo(a.endpoint, a.workers or 4)
    elif a.scenario == "parity":
        m = scenario_parity(a.endpoint)
    elif a.scenario == "securityhub":
        m = scenario_securityhub(a.endpoint, a.workers or 3)
    else:
        regions = [r.strip() for r in a.regions.split(",") if r.strip()]
        workers = a.workers or (8 if a.scenario == "bench" else 4)
        m = scenario_healthy(a.endpoint, a.accounts, regions, workers)
        m["scenario"] = a.scenario
    dt = time.time() - t
    log(f"scenario {a.scenario}: {len(m['accounts'])} accounts x {len(m['regions'])} regions seeded in {dt:.1f}s")
    out = json.dumps(m, indent=1, sort_keys=True, default=str)
    if a.output:
        with open(a.output, "w") as f:
            f.write(out + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
