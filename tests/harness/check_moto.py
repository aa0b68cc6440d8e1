#!/usr/bin/env python3
"""Probe every AWS call alertpath makes against a running moto_server.py
(fresh server recommended), using assumed-role credentials into a member
account where it matters. Prints one JSON line per call and a summary.

Usage: check_moto.py --endpoint http://127.0.0.1:PORT
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import traceback
import zipfile

import boto3
from botocore.config import Config

CFG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    a = ap.parse_args()
    ep = a.endpoint
    mgmt = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")

    def c(sess, svc, region="us-east-1"):
        return sess.client(svc, endpoint_url=ep, region_name=region, config=CFG)

    results = []

    def probe(name, fn, check=None):
        try:
            out = fn()
            out.pop("ResponseMetadata", None) if isinstance(out, dict) else None
            note = check(out) if check else ""
            results.append({"call": name, "ok": True, "note": note})
        except Exception as e:  # noqa: BLE001
            results.append({"call": name, "ok": False, "error": f"{type(e).__name__}: {e}"})
        print(json.dumps(results[-1]), flush=True)
        return results[-1]

    org = c(mgmt, "organizations")
    try:
        org.create_organization(FeatureSet="ALL")
    except org.exceptions.AlreadyInOrganizationException:
        pass
    acc = org.create_account(Email="m1@example.com", AccountName="member1")["CreateAccountStatus"]
    member_id = acc["AccountId"]
    sts = c(mgmt, "sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{member_id}:role/OrganizationAccountAccessRole",
                            RoleSessionName="alertpath")["Credentials"]
    mem = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"], region_name="us-east-1")

    probe("sts.GetCallerIdentity(member)", lambda: c(mem, "sts").get_caller_identity(),
          lambda o: f"Account={o['Account']} expected={member_id} Arn={o['Arn']}")
    probe("sts.AssumeRole(alertpath-audit, nonexistent role)", lambda: sts.assume_role(
        RoleArn=f"arn:aws:iam::{member_id}:role/alertpath-audit", RoleSessionName="xx"),
        lambda o: "succeeds even if role missing")
    probe("organizations.DescribeOrganization", lambda: org.describe_organization(),
          lambda o: f"MasterAccountId={o['Organization'].get('MasterAccountId')}")
    probe("organizations.ListAccounts", lambda: org.list_accounts(),
          lambda o: "keys=" + ",".join(sorted(o["Accounts"][0].keys())))
    roots = probe("organizations.ListRoots", lambda: org.list_roots(), lambda o: o["Roots"][0]["Id"])
    root_id = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root_id, Name="Security")["OrganizationalUnit"]["Id"]
    probe("organizations.ListOrganizationalUnitsForParent",
          lambda: org.list_organizational_units_for_parent(ParentId=root_id),
          lambda o: f"{len(o['OrganizationalUnits'])} OUs")
    probe("organizations.ListAccountsForParent", lambda: org.list_accounts_for_parent(ParentId=root_id),
          lambda o: "keys=" + ",".join(sorted(o["Accounts"][0].keys())))
    probe("organizations.ListChildren", lambda: org.list_children(ParentId=root_id, ChildType="ACCOUNT"),
          lambda o: f"{len(o['Children'])} children")
    org.register_delegated_administrator(AccountId=member_id, ServicePrincipal="guardduty.amazonaws.com")
    probe("organizations.ListDelegatedAdministrators", lambda: org.list_delegated_administrators(),
          lambda o: json.dumps(o["DelegatedAdministrators"], default=str)[:200])
    probe("organizations.ListDelegatedAdministrators(ServicePrincipal)",
          lambda: org.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com"),
          lambda o: f"{len(o['DelegatedAdministrators'])}")

    gdm = c(mgmt, "guardduty")
    probe("guardduty.EnableOrganizationAdminAccount", lambda: gdm.enable_organization_admin_account(AdminAccountId=member_id))
    gdm.enable_organization_admin_account(AdminAccountId=member_id)
    probe("guardduty.ListOrganizationAdminAccounts(mgmt)", lambda: gdm.list_organization_admin_accounts(),
          lambda o: json.dumps(o["AdminAccounts"]))
    gd = c(mem, "guardduty")
    det = gd.create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")["DetectorId"]
    probe("guardduty.ListDetectors(member)", lambda: gd.list_detectors(), lambda o: json.dumps(o["DetectorIds"]))
    probe("guardduty.GetDetector", lambda: gd.get_detector(DetectorId=det),
          lambda o: f"Status={o['Status']} Freq={o['FindingPublishingFrequency']}")
    gd.update_detector(DetectorId=det, Enable=False)
    probe("guardduty.UpdateDetector(Enable=False)->GetDetector", lambda: gd.get_detector(DetectorId=det),
          lambda o: f"Status={o['Status']}")
    gd.update_detector(DetectorId=det, Enable=True)
    mgmt_det = gdm.create_detector(Enable=True)["DetectorId"]
    probe("guardduty.CreateMembers", lambda: gd.create_members(DetectorId=det, AccountDetails=[
        {"AccountId": "123456789012", "Email": "mgmt@example.com"}]), lambda o: json.dumps(o["UnprocessedAccounts"]))
    probe("guardduty.ListMembers", lambda: gd.list_members(DetectorId=det), lambda o: json.dumps(o["Members"], default=str)[:300])
    probe("guardduty.CreateFilter", lambda: gd.create_filter(
        DetectorId=det, Name="probe-filter", Action="ARCHIVE",
        FindingCriteria={"Criterion": {"severity": {"GreaterThanOrEqual": 7}}}))
    probe("guardduty.ListFilters", lambda: gd.list_filters(DetectorId=det), lambda o: json.dumps(o["FilterNames"]))
    probe("guardduty.GetFilter", lambda: gd.get_filter(DetectorId=det, FilterName="probe-filter"),
          lambda o: json.dumps(o["FindingCriteria"]))
    probe("guardduty.ListPublishingDestinations", lambda: gd.list_publishing_destinations(DetectorId=det),
          lambda o: json.dumps(o["Destinations"]))
    probe("guardduty.GetMembers", lambda: gd.get_members(DetectorId=det, AccountIds=["123456789012", "999999999999"]),
          lambda o: f"{len(o['Members'])} found, unprocessed={len(o['UnprocessedAccounts'])}")
    probe("guardduty.UpdateOrganizationConfiguration", lambda: gd.update_organization_configuration(
        DetectorId=det, AutoEnableOrganizationMembers="ALL"))
    probe("guardduty.DescribeOrganizationConfiguration", lambda: gd.describe_organization_configuration(DetectorId=det),
          lambda o: f"AutoEnable={o['AutoEnable']} Members={o['AutoEnableOrganizationMembers']}")
    probe("guardduty.GetAdministratorAccount(mgmt as member)", lambda: gdm.get_administrator_account(DetectorId=mgmt_det),
          lambda o: json.dumps(o, default=str))
    probe("guardduty.ListMembers(bad detector)", lambda: gd.list_members(DetectorId="nope"))

    acct = c(mem, "account")
    probe("account.ListRegions", lambda: acct.list_regions(MaxResults=50),
          lambda o: f"{len(o['Regions'])} regions, af-south-1=" +
          [r["RegionOptStatus"] for r in o["Regions"] if r["RegionName"] == "af-south-1"][0])
    probe("account.ListRegions(filter ENABLED,ENABLED_BY_DEFAULT)", lambda: acct.list_regions(
        RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"]), lambda o: f"{len(o['Regions'])}")
    probe("account.GetRegionOptStatus", lambda: acct.get_region_opt_status(RegionName="me-south-1"),
          lambda o: o["RegionOptStatus"])
    probe("account.ListRegions paginator", lambda: {"n": sum(len(p["Regions"]) for p in acct.get_paginator("list_regions").paginate(PaginationConfig={"PageSize": 7}))},
          lambda o: f"{o['n']}")

    ev = c(mem, "events")
    ev.put_rule(Name="r1", EventPattern=json.dumps({"source": ["aws.guardduty"]}))
    sns = c(mem, "sns")
    topic = sns.create_topic(Name="t1")["TopicArn"]
    ev.put_targets(Rule="r1", Targets=[{"Id": "1", "Arn": topic}])
    probe("events.ListRules", lambda: ev.list_rules(), lambda o: f"{len(o['Rules'])} rules, arn={o['Rules'][0]['Arn']}")
    probe("events.ListTargetsByRule", lambda: ev.list_targets_by_rule(Rule="r1"), lambda o: o["Targets"][0]["Arn"])
    probe("events.DescribeEventBus", lambda: ev.describe_event_bus(), lambda o: f"Arn={o.get('Arn')} Policy={'Policy' in o}")
    sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://events.pagerduty.com/integration/x/enqueue",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    probe("sns.ListTopics", lambda: sns.list_topics(), lambda o: f"{len(o['Topics'])}")
    probe("sns.GetTopicAttributes", lambda: sns.get_topic_attributes(TopicArn=topic),
          lambda o: ",".join(sorted(o["Attributes"])))
    probe("sns.ListSubscriptions", lambda: sns.list_subscriptions(), lambda o: json.dumps(o["Subscriptions"])[:200])
    probe("sns.GetSubscriptionAttributes", lambda: sns.get_subscription_attributes(SubscriptionArn=sub),
          lambda o: ",".join(sorted(o["Attributes"])))
    lam = c(mem, "lambda")
    iam = c(mem, "iam")
    role = iam.create_role(RoleName="lr", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notify_slack.py", "def lambda_handler(e, c):\n    return 1\n")
    probe("lambda.CreateFunction", lambda: lam.create_function(FunctionName="notify_slack", Runtime="python3.12", Role=role,
          Handler="notify_slack.lambda_handler", Code={"ZipFile": buf.getvalue()},
          Environment={"Variables": {"SLACK_WEBHOOK_URL": "AQICAHh..."}}), lambda o: o["FunctionArn"])
    lam.add_permission(FunctionName="notify_slack", StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    probe("lambda.GetFunctionConfiguration", lambda: lam.get_function_configuration(FunctionName="notify_slack"),
          lambda o: f"Env={o.get('Environment')}")
    probe("lambda.GetPolicy", lambda: lam.get_policy(FunctionName="notify_slack"), lambda o: o["Policy"][:200])
    probe("lambda.GetFunctionConcurrency(unset)", lambda: lam.get_function_concurrency(FunctionName="notify_slack"),
          lambda o: json.dumps(o))
    lam.put_function_concurrency(FunctionName="notify_slack", ReservedConcurrentExecutions=0)
    probe("lambda.GetFunctionConcurrency(0)", lambda: lam.get_function_concurrency(FunctionName="notify_slack"),
          lambda o: json.dumps(o))
    cw = c(mem, "cloudwatch")
    cw.put_metric_alarm(AlarmName="a1", Namespace="AWS/Lambda", MetricName="Errors", Dimensions=[{"Name": "FunctionName", "Value": "notify_slack"}],
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                        AlarmActions=[topic])
    probe("cloudwatch.DescribeAlarms", lambda: cw.describe_alarms(), lambda o: json.dumps(
        {k: o["MetricAlarms"][0].get(k) for k in ("AlarmName", "Namespace", "Dimensions", "AlarmActions", "ActionsEnabled", "Statistic")}))
    logs = c(mem, "logs")
    logs.create_log_group(logGroupName="/aws/lambda/notify_slack")
    logs.put_metric_filter(logGroupName="/aws/lambda/notify_slack", filterName="f", filterPattern='"HTTP Error"',
                           metricTransformations=[{"metricName": "NotifyErr", "metricNamespace": "Alerting", "metricValue": "1"}])
    probe("logs.DescribeMetricFilters", lambda: logs.describe_metric_filters(logGroupName="/aws/lambda/notify_slack"),
          lambda o: json.dumps(o["metricFilters"], default=str)[:200])
    probe("logs.DescribeLogGroups", lambda: logs.describe_log_groups(), lambda o: f"{len(o['logGroups'])}")
    ct = c(mgmt, "cloudtrail")
    s3 = c(mgmt, "s3")
    s3.create_bucket(Bucket="trail-bucket")
    probe("cloudtrail.CreateTrail(org, multi-region)", lambda: ct.create_trail(Name="org-trail", S3BucketName="trail-bucket",
          IsMultiRegionTrail=True, IsOrganizationTrail=True), lambda o: f"IsOrganizationTrail={o.get('IsOrganizationTrail')}")
    ct.start_logging(Name="org-trail")
    probe("cloudtrail.DescribeTrails(mgmt)", lambda: ct.describe_trails(), lambda o: json.dumps(o["trailList"], default=str)[:300])
    probe("cloudtrail.DescribeTrails(member sees org trail?)", lambda: c(mem, "cloudtrail").describe_trails(),
          lambda o: f"{len(o['trailList'])} trails")
    probe("cloudtrail.GetTrailStatus", lambda: ct.get_trail_status(Name="org-trail"), lambda o: f"IsLogging={o['IsLogging']}")
    ssm = c(mem, "ssm")
    ssm.put_parameter(Name="/alerting/slack_webhook_url", Value="SSM-SECRET-LEAK-MARKER", Type="SecureString")
    probe("ssm.DescribeParameters", lambda: ssm.describe_parameters(), lambda o: json.dumps(o["Parameters"], default=str)[:300])
    kms = c(mem, "kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    probe("kms.DescribeKey", lambda: kms.describe_key(KeyId=key), lambda o: o["KeyMetadata"]["Arn"])
    probe("kms.DescribeKey(alias/aws/sns)", lambda: kms.describe_key(KeyId="alias/aws/sns"), lambda o: o["KeyMetadata"]["Arn"])
    probe("kms.GetKeyPolicy", lambda: kms.get_key_policy(KeyId=key, PolicyName="default"), lambda o: o["Policy"][:120])

    # Security Hub CSPM: moto's hub and members, and the extension's calls,
    # checked against the API's documented response shapes.
    shm = c(mgmt, "securityhub")
    sh = c(mem, "securityhub")
    probe("securityhub.DescribeHub(not enabled)", lambda: sh.describe_hub())
    sh.enable_security_hub(EnableDefaultStandards=False)
    probe("securityhub.DescribeHub", lambda: sh.describe_hub(), lambda o: o["HubArn"])
    probe("securityhub.EnableOrganizationAdminAccount",
          lambda: shm.enable_organization_admin_account(AdminAccountId=member_id))
    probe("securityhub.ListOrganizationAdminAccounts(mgmt)", lambda: shm.list_organization_admin_accounts(),
          lambda o: json.dumps(o["AdminAccounts"]))
    probe("securityhub.CreateMembers", lambda: sh.create_members(AccountDetails=[{"AccountId": "123456789012"}]))
    probe("securityhub.ListMembers(OnlyAssociated=False)", lambda: sh.list_members(OnlyAssociated=False),
          lambda o: json.dumps([(m["AccountId"], m["MemberStatus"]) for m in o["Members"]]))
    probe("securityhub.GetAdministratorAccount", lambda: sh.get_administrator_account(),
          lambda o: json.dumps(o.get("Administrator"), default=str))
    agg = probe("securityhub.CreateFindingAggregator", lambda: sh.create_finding_aggregator(
        RegionLinkingMode="SPECIFIED_REGIONS", Regions=["eu-west-1"]), lambda o: o["FindingAggregatorArn"])
    agg_arn = sh.list_finding_aggregators()["FindingAggregators"][0]["FindingAggregatorArn"]
    probe("securityhub.ListFindingAggregators(other region)",
          lambda: c(mem, "securityhub", "eu-west-1").list_finding_aggregators(),
          lambda o: json.dumps(o["FindingAggregators"]))
    probe("securityhub.UpdateFindingAggregator", lambda: sh.update_finding_aggregator(
        FindingAggregatorArn=agg_arn, RegionLinkingMode="ALL_REGIONS_EXCEPT_SPECIFIED", Regions=["eu-west-1"]))
    probe("securityhub.GetFindingAggregator", lambda: sh.get_finding_aggregator(FindingAggregatorArn=agg_arn),
          lambda o: f"{o['FindingAggregationRegion']} {o['RegionLinkingMode']} {o['Regions']}")
    probe("securityhub.ListEnabledProductsForImport", lambda: sh.list_enabled_products_for_import(),
          lambda o: json.dumps(o["ProductSubscriptions"]))
    gd_sub = f"arn:aws:securityhub:us-east-1:{member_id}:product-subscription/aws/guardduty"
    probe("securityhub.DisableImportFindingsForProduct(guardduty)",
          lambda: sh.disable_import_findings_for_product(ProductSubscriptionArn=gd_sub))
    probe("securityhub.ListEnabledProductsForImport(after disable)", lambda: sh.list_enabled_products_for_import(),
          lambda o: json.dumps(o["ProductSubscriptions"]))
    probe("securityhub.EnableImportFindingsForProduct(guardduty)", lambda: sh.enable_import_findings_for_product(
        ProductArn="arn:aws:securityhub:us-east-1::product/aws/guardduty"), lambda o: o["ProductSubscriptionArn"])
    probe("securityhub.CreateAutomationRule", lambda: sh.create_automation_rule(
        RuleName="suppress-guardduty", RuleOrder=1, Description="probe", IsTerminal=False,
        Criteria={"ProductName": [{"Value": "GuardDuty", "Comparison": "EQUALS"}]},
        Actions=[{"Type": "FINDING_FIELDS_UPDATE",
                  "FindingFieldsUpdate": {"Workflow": {"Status": "SUPPRESSED"}}}]), lambda o: o["RuleArn"])
    listed = probe("securityhub.ListAutomationRules", lambda: sh.list_automation_rules(),
                   lambda o: json.dumps(o["AutomationRulesMetadata"], default=str)[:300])
    rule_arn = sh.list_automation_rules()["AutomationRulesMetadata"][0]["RuleArn"]
    probe("securityhub.BatchGetAutomationRules", lambda: sh.batch_get_automation_rules(
        AutomationRulesArns=[rule_arn, rule_arn.replace("automation-rule/", "automation-rule/x")]),
          lambda o: json.dumps({"rules": [r["RuleName"] for r in o["Rules"]],
                                "unprocessed": len(o["UnprocessedAutomationRules"])}))
    del agg, listed

    bad = [r for r in results if not r["ok"]]
    print(json.dumps({"total": len(results), "failed": [r["call"] for r in bad]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
