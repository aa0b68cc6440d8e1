//! Stacks in the shapes public Terraform writes, through the CLI.
//! - `cloudposse`: registry modules read without `.terraform/modules`, from
//!   the vendored Cloud Posse label, SNS topic and GuardDuty modules. Before
//!   they were vendored, every resource gated on `module.this.enabled` was
//!   SCAN004 and the chain was not assessed.
//! - `secure-baseline`: nozaq/terraform-aws-secure-baseline's shapes. Before,
//!   the trail's log group and the alarm's metric were "known after apply",
//!   so ROOT001 could not follow CloudTrail, and a `for_each` over subnets no
//!   rule reads was SCAN004 (exit 3).
//!
//! Each fixture's README lists what each link must give.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::process::{bin, code};

/// The config of a GuardDuty admin stack.
const ADMIN: &str = "[terraform]\nrole = \"guardduty-admin\"\n";

/// Scan with `config` and the given input flags (`--plan`, `--terraform`);
/// the exit code and JSON report.
fn scan(config: &str, inputs: &[&OsStr]) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("alertpath.toml");
    std::fs::write(&path, config).expect("config");
    let out = bin()
        .args(["scan", "--format", "json", "--config"])
        .arg(&path)
        .args(inputs)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("run alertpath");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (code(&out), report)
}

/// A Terraform fixture directory.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
}

/// An HCL-only scan of a fixture as the GuardDuty admin stack.
fn scan_fixture(name: &str) -> (i32, Value) {
    scan(ADMIN, &["--terraform".as_ref(), fixture(name).as_os_str()])
}

/// An HCL-only scan of one `main.tf` with `config`.
fn scan_stack(stack: &str, config: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), stack).expect("main.tf");
    scan(config, &["--terraform".as_ref(), dir.path().as_os_str()])
}

/// The SCAN004 outcomes that are not a pass (what could not be resolved).
fn unresolved(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "SCAN004" && f["status"] != "pass")
        .collect()
}

/// (status, message) of a rule's outcomes on a named resource, or on no
/// resource when `resource` is empty.
fn outcomes(report: &Value, rule: &str, resource: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .filter(|f| {
            f["subject"]["resource"]["name"]
                .as_str()
                .unwrap_or_default()
                == resource
        })
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn statuses(report: &Value, rule: &str, resource: &str) -> Vec<String> {
    outcomes(report, rule, resource)
        .into_iter()
        .map(|(status, _)| status)
        .collect()
}

#[test]
fn cloud_posse_modules_are_read_without_terraform_init() {
    let (code, report) = scan_fixture("cloudposse");
    assert_eq!(code, 1);
    assert!(unresolved(&report).is_empty(), "{:#?}", unresolved(&report));

    // cloudposse/guardduty/aws's own topic policy grants CloudWatch, not
    // EventBridge, and sns-topic encrypts with the AWS-managed key.
    let pager = "eg-ue2-prod-guardduty-guardduty";
    let sns001 = outcomes(&report, "SNS001", pager);
    assert_eq!(sns001.len(), 1, "{sns001:?}");
    assert_eq!(sns001[0].0, "fail");
    assert!(
        sns001[0]
            .1
            .contains("does not allow events.amazonaws.com to sns:Publish"),
        "{}",
        sns001[0].1
    );
    assert_eq!(statuses(&report, "SNS004", pager), ["fail"]);
    assert_eq!(statuses(&report, "ROUTE001", ""), ["fail"]);

    // The chat topic the user configured for EventBridge works end to end.
    let chat = "eg-ue2-prod-guardduty-chat";
    assert_eq!(statuses(&report, "SNS001", chat), ["pass"]);
    // encryption_enabled = false gives kms_master_key_id = "": no key.
    assert_eq!(
        outcomes(&report, "SNS004", chat),
        [(
            "pass".to_string(),
            format!("topic {chat}'s KMS key: not encrypted")
        )]
    );
    assert_eq!(statuses(&report, "ROUTE002", ""), ["pass"]);

    // A finding inside a vendored module is placed at the stack's module call.
    let location = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "SNS004" && f["status"] == "fail")
        .and_then(|f| f["subject"]["resource"]["origin"]["location"].as_object())
        .cloned()
        .unwrap_or_default();
    assert_eq!(location.get("line").and_then(Value::as_u64), Some(8));
    assert!(
        location
            .get("file")
            .and_then(Value::as_str)
            .is_some_and(|f| f.ends_with("cloudposse/main.tf")),
        "{location:?}"
    );
}

#[test]
fn a_secure_baseline_trail_alarm_reaches_the_pager_and_unread_data_sources_are_ignored() {
    let (code, report) = scan_fixture("secure-baseline");
    assert!(unresolved(&report).is_empty(), "{:#?}", unresolved(&report));
    let not_assessed: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "not_assessed")
        .collect();
    assert!(not_assessed.is_empty(), "{not_assessed:#?}");
    // Fails (no GuardDuty chain in this stack), never exit 3.
    assert_eq!(code, 1);
    let root = outcomes(&report, "ROOT001", "");
    assert_eq!(
        root,
        [(
            "pass".to_string(),
            "root console sign-in of account 333333333333 reaches a pager endpoint on topic CISAlarm through a CloudTrail metric filter and alarm".to_string()
        )]
    );
}

/// A notifier built with `terraform-aws-modules/lambda/aws` (what the real
/// notify-slack source calls too), not downloaded: read from alertpath's model
/// of that module, so its reserved concurrency and SNS trigger are judged.
#[test]
fn a_notifier_from_the_lambda_registry_module_is_judged() {
    let stack = r#"
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["444444444444"]
}

resource "aws_sns_topic" "chat" {
  name = "guardduty-chat"
}

module "notifier" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 8.0"

  function_name                  = "guardduty-to-slack"
  handler                        = "index.handler"
  runtime                        = "python3.12"
  source_path                    = "${path.module}/src"
  reserved_concurrent_executions = 0

  allowed_triggers = {
    sns = {
      principal  = "sns.amazonaws.com"
      source_arn = aws_sns_topic.chat.arn
    }
  }
}

resource "aws_sns_topic_subscription" "chat" {
  topic_arn = aws_sns_topic.chat.arn
  protocol  = "lambda"
  endpoint  = module.notifier.lambda_function_arn
}

resource "aws_cloudwatch_event_rule" "findings" {
  name = "guardduty-findings"
  event_pattern = jsonencode({
    source        = ["aws.guardduty"]
    "detail-type" = ["GuardDuty Finding"]
  })
}

resource "aws_cloudwatch_event_target" "chat" {
  rule = aws_cloudwatch_event_rule.findings.name
  arn  = aws_sns_topic.chat.arn
}

resource "aws_guardduty_detector" "main" {
  enable = true
}
"#;
    let (code, report) = scan_stack(stack, ADMIN);
    assert!(unresolved(&report).is_empty(), "{:#?}", unresolved(&report));
    let sub003: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "SUB003")
        .map(|f| {
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        sub003.iter().any(|(status, message)| status == "fail"
            && message == "function guardduty-to-slack has reserved concurrency 0: it never runs"),
        "{sub003:?}"
    );
    assert_eq!(code, 1);
}

/// trussworks/guardduty-notifications creates the detector itself with
/// `create_detector = true` (all releases); not downloaded, alertpath's model
/// of the module must create it too, or GD001 fails a stack that has one.
#[test]
fn trussworks_notifications_can_create_the_detector() {
    let stack = r#"
provider "aws" {
  region              = "us-west-2"
  allowed_account_ids = ["555555555555"]
}

resource "aws_sns_topic" "pager" {
  name = "gd-pager"
}

module "guardduty_notifications" {
  source  = "trussworks/guardduty-notifications/aws"
  version = "~> 6.0"

  create_detector         = true
  sns_topic_pagerduty_arn = aws_sns_topic.pager.arn
  slack_notifications     = false
}
"#;
    let (_, report) = scan_stack(stack, ADMIN);
    assert!(unresolved(&report).is_empty(), "{:#?}", unresolved(&report));
    assert_eq!(
        outcomes(&report, "GD001", ""),
        [("pass".to_string(), "1 detector(s)".to_string())]
    );
}

/// DNXLabs/terraform-aws-guardduty's shape: the rule targets a custom Slack
/// Lambda directly. alertpath cannot know it posts to chat, so ROUTE002 says
/// how to tell it; told, the route passes.
#[test]
fn a_custom_lambda_target_is_a_chat_route_once_named() {
    let stack = r#"
provider "aws" {
  region              = "ap-southeast-2"
  allowed_account_ids = ["666666666666"]
}

resource "aws_guardduty_detector" "member" {
  enable = true
}

resource "aws_cloudwatch_event_rule" "guardduty_notification_rule" {
  name          = "guardduty-finding-events"
  event_pattern = jsonencode({ source = ["aws.guardduty"], "detail-type" = ["GuardDuty Finding"] })
}

resource "aws_lambda_function" "guardduty_notification_lambda" {
  function_name = "guardduty-slack"
  filename      = "guardduty_notification.zip"
  role          = "arn:aws:iam::666666666666:role/guardduty-slack"
  handler       = "guardduty_notification.lambda_handler"
  runtime       = "python3.12"
}

resource "aws_cloudwatch_event_target" "guardduty_notification_target_event" {
  rule      = aws_cloudwatch_event_rule.guardduty_notification_rule.name
  target_id = "send-to-sns-slack"
  arn       = aws_lambda_function.guardduty_notification_lambda.arn
}

resource "aws_lambda_permission" "allow_guardduty_notification_trigger" {
  statement_id  = "AllowExecutionFromCloudWatch"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.guardduty_notification_lambda.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.guardduty_notification_rule.arn
}
"#;
    let route002 = |config: &str| outcomes(&scan_stack(stack, config).1, "ROUTE002", "");
    let role = ADMIN;
    let unnamed = route002(role);
    assert_eq!(unnamed.len(), 1, "{unnamed:?}");
    assert_eq!(unnamed[0].0, "fail");
    assert!(
        unnamed[0].1.ends_with(
            "the walk ends at function guardduty-slack (unclassified: satisfies no route); if that function posts to chat, name it in `[chat] notifier_functions`"
        ),
        "{}",
        unnamed[0].1
    );
    let named = route002(&format!(
        "{role}[chat]\nnotifier_functions = [\"guardduty-slack\"]\n"
    ));
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].0, "pass", "{}", named[0].1);
}

/// AWS Chatbot, as AWS documents GuardDuty to Slack: Terraform lists the
/// topic in `aws_chatbot_slack_channel_configuration` and declares no
/// subscription (Chatbot creates it). Before, the topic had "no subscription"
/// (SUB004) and nothing reached chat (ROUTE002), in plan and HCL alike.
#[test]
fn a_topic_delivered_by_aws_chatbot_reaches_chat() {
    let dir = fixture("chatbot");
    let plan = dir.join("plan.json");
    for (flag, path) in [("--plan", &plan), ("--terraform", &dir)] {
        let inputs: [&OsStr; 2] = [flag.as_ref(), path.as_os_str()];
        let (_, report) = scan(ADMIN, &inputs);
        assert_eq!(
            statuses(&report, "SUB004", "guardduty-chat"),
            ["pass"],
            "{inputs:?}"
        );
        assert_eq!(statuses(&report, "ROUTE002", ""), ["pass"], "{inputs:?}");
        assert_eq!(statuses(&report, "ROUTE001", ""), ["fail"], "{inputs:?}");
    }
}

/// terraform-aws-modules/sns, the most used topic module, read from its
/// vendored copy when not downloaded (major 6 and 7): a pager topic whose
/// `topic_policy_statements` let EventBridge publish, with a PagerDuty
/// subscription in `subscriptions`, is a working route; the same topic with
/// the module's default statement turned off and only CloudWatch allowed is
/// SNS001. (The default statement alone lets the account's EventBridge
/// publish: it pins `AWS:SourceAccount`, which EventBridge presents.)
#[test]
fn a_terraform_aws_modules_sns_topic_is_judged_without_init() {
    for (version, allow_events) in [("~> 6.0", true), ("~> 7.0", true), ("~> 7.0", false)] {
        let principal = if allow_events {
            "events.amazonaws.com"
        } else {
            "cloudwatch.amazonaws.com"
        };
        let statement = format!(
            r#"enable_default_topic_policy = false
  topic_policy_statements = {{
    publish = {{
      actions    = ["sns:Publish"]
      principals = [{{ type = "Service", identifiers = ["{principal}"] }}]
    }}
  }}"#
        );
        let stack = format!(
            r#"
provider "aws" {{
  region              = "eu-central-1"
  allowed_account_ids = ["888888888888"]
}}

variable "pagerduty_integration_key" {{
  type      = string
  sensitive = true
}}

resource "aws_guardduty_detector" "main" {{
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}}

module "pager" {{
  source  = "terraform-aws-modules/sns/aws"
  version = "{version}"

  name = "gd-pager"
  {statement}
  subscriptions = {{
    pagerduty = {{
      protocol               = "https"
      endpoint               = "https://events.pagerduty.com/integration/${{var.pagerduty_integration_key}}/enqueue"
      endpoint_auto_confirms = true
    }}
  }}
}}

resource "aws_cloudwatch_event_rule" "guardduty" {{
  name          = "guardduty-high"
  event_pattern = jsonencode({{ source = ["aws.guardduty"], "detail-type" = ["GuardDuty Finding"] }})
}}

resource "aws_cloudwatch_event_target" "pager" {{
  rule = aws_cloudwatch_event_rule.guardduty.name
  arn  = module.pager.topic_arn
}}
"#
        );
        let (_, report) = scan_stack(&stack, ADMIN);
        let case = format!("{version}, EventBridge statement: {allow_events}");
        assert!(
            unresolved(&report).is_empty(),
            "{case}: {:#?}",
            unresolved(&report)
        );
        let (sns001, route001) = if allow_events {
            (["pass"], ["pass"])
        } else {
            (["fail"], ["fail"])
        };
        assert_eq!(statuses(&report, "SNS001", "gd-pager"), sns001, "{case}");
        assert_eq!(statuses(&report, "ROUTE001", ""), route001, "{case}");
        assert_eq!(statuses(&report, "SUB004", "gd-pager"), ["pass"], "{case}");
    }
}

/// terraform-aws-modules/eventbridge (majors 3 and 4) sending GuardDuty
/// findings to a terraform-aws-modules/sns topic, neither downloaded: the
/// rule is named as the module names it (`<key>-rule`) and the route works.
#[test]
fn terraform_aws_modules_eventbridge_routes_to_an_sns_module_topic() {
    let stack = r#"provider "aws" {
  region              = "eu-central-1"
  allowed_account_ids = ["888888888888"]
}
variable "pagerduty_integration_key" {
  type      = string
  sensitive = true
}
resource "aws_guardduty_detector" "main" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}
module "pager" {
  source  = "terraform-aws-modules/sns/aws"
  version = "~> 6.0"
  name    = "gd-pager"
  subscriptions = {
    pagerduty = {
      protocol               = "https"
      endpoint               = "https://events.pagerduty.com/integration/${var.pagerduty_integration_key}/enqueue"
      endpoint_auto_confirms = true
    }
  }
}
module "eventbridge" {
  source     = "terraform-aws-modules/eventbridge/aws"
  version    = "VERSION"
  create_bus = false
  rules = {
    guardduty = {
      description   = "GuardDuty findings"
      event_pattern = jsonencode({ source = ["aws.guardduty"], "detail-type" = ["GuardDuty Finding"] })
    }
  }
  targets = {
    guardduty = [
      {
        name = "to-pager"
        arn  = module.pager.topic_arn
      }
    ]
  }
}
"#;
    for version in ["~> 4.0", "~> 3.0"] {
        let (_, report) = scan_stack(&stack.replace("VERSION", version), ADMIN);
        assert!(
            unresolved(&report).is_empty(),
            "{version}: {:#?}",
            unresolved(&report)
        );
        assert_eq!(
            outcomes(&report, "EVT002", "guardduty-rule"),
            [(
                "pass".to_string(),
                "rule guardduty-rule: rule is ENABLED".to_string()
            )],
            "{version}"
        );
        assert_eq!(statuses(&report, "ROUTE001", ""), ["pass"], "{version}");
        assert_eq!(
            statuses(&report, "SNS001", "gd-pager"),
            ["pass"],
            "{version}"
        );
    }
}

/// terraform-aws-modules/cloudwatch's `metric-alarm` and `log-metric-filter`
/// sub-modules (`…/aws//modules/metric-alarm`), not downloaded: the notifier's
/// error alarm and its webhook-failure filter are judged (ALM001–ALM005);
/// the primer's mistake, the alarm in the wrong namespace, is ALM002.
#[test]
fn cloudwatch_submodules_alarm_on_the_notifier() {
    let stack = r#"provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["999999999999"]
}
variable "pagerduty_cloudwatch_key" {
  type      = string
  sensitive = true
}
resource "aws_guardduty_detector" "main" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}
resource "aws_sns_topic" "chat" {
  name = "gd-chat"
}
data "aws_ssm_parameter" "slack" {
  name = "/alerting/slack_webhook_url"
}
module "notify_slack" {
  source               = "terraform-aws-modules/notify-slack/aws"
  version              = "~> 6.0"
  create_sns_topic     = false
  sns_topic_name       = aws_sns_topic.chat.name
  slack_webhook_url    = data.aws_ssm_parameter.slack.value
  slack_channel        = "gd-alerts"
  slack_username       = "GuardDuty"
}
resource "aws_sns_topic" "failover" {
  name = "gd-failover"
}
resource "aws_sns_topic_subscription" "failover" {
  topic_arn              = aws_sns_topic.failover.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/${var.pagerduty_cloudwatch_key}/enqueue"
  endpoint_auto_confirms = true
}
module "notifier_errors" {
  source  = "terraform-aws-modules/cloudwatch/aws//modules/metric-alarm"
  version = "~> 5.0"

  alarm_name          = "notify-slack-errors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  threshold           = 1
  period              = 60
  namespace           = "NAMESPACE"
  metric_name         = "Errors"
  statistic           = "Sum"
  dimensions = {
    FunctionName = module.notify_slack.notify_slack_lambda_function_name
  }
  alarm_actions = [aws_sns_topic.failover.arn]
}
data "aws_iam_policy_document" "chat" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.chat.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}
resource "aws_sns_topic_policy" "chat" {
  arn    = aws_sns_topic.chat.arn
  policy = data.aws_iam_policy_document.chat.json
}
resource "aws_cloudwatch_event_rule" "gd" {
  name          = "guardduty-findings"
  event_pattern = jsonencode({ source = ["aws.guardduty"], "detail-type" = ["GuardDuty Finding"] })
}
resource "aws_cloudwatch_event_target" "chat" {
  rule = aws_cloudwatch_event_rule.gd.name
  arn  = aws_sns_topic.chat.arn
}
module "webhook_failures_filter" {
  source  = "terraform-aws-modules/cloudwatch/aws//modules/log-metric-filter"
  version = "~> 5.0"

  name                            = "gd-notify-slack-webhook-failures"
  log_group_name                  = "/aws/lambda/${module.notify_slack.notify_slack_lambda_function_name}"
  pattern                         = "?\"HTTP Error\" ?\"URLError\""
  metric_transformation_name      = "WebhookFailures"
  metric_transformation_namespace = "Alerting/NotifySlack"
  metric_transformation_value     = "1"
}
module "webhook_failures_alarm" {
  source  = "terraform-aws-modules/cloudwatch/aws//modules/metric-alarm"
  version = "~> 5.0"

  alarm_name          = "gd-notify-slack-webhook-failures"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  threshold           = 1
  period              = 300
  namespace           = "Alerting/NotifySlack"
  metric_name         = "WebhookFailures"
  statistic           = "Sum"
  alarm_actions       = [aws_sns_topic.failover.arn]
}
"#;
    for (namespace, alm002) in [
        ("AWS/Lambda", "pass"),
        ("notify-slack-notifications", "fail"),
    ] {
        let (_, report) = scan_stack(&stack.replace("NAMESPACE", namespace), ADMIN);
        assert!(
            unresolved(&report).is_empty(),
            "{namespace}: {:#?}",
            unresolved(&report)
        );
        assert_eq!(
            statuses(&report, "ALM002", "notify-slack-errors"),
            [alm002],
            "{namespace}"
        );
        assert_eq!(
            outcomes(&report, "ALM005", "notify_slack"),
            [(
                "pass".to_string(),
                "filter gd-notify-slack-webhook-failures catches webhook errors and alarm gd-notify-slack-webhook-failures raises a failover".to_string()
            )],
            "{namespace}"
        );
    }
}

/// A subscription whose topic alertpath cannot tell (`topic_arn = var.x`
/// with no value, or a Chatbot configuration whose `sns_topic_arns` is
/// unknown) may be on any topic of its account and region: a topic with no
/// other subscription is then not assessed, never "reaches nobody" (SUB004,
/// ROUTE002), while a route it cannot complete still fails (ROUTE001: the
/// doubtful subscription goes to chat, not a pager).
#[test]
fn a_subscription_with_an_unknown_topic_may_be_on_any_topic() {
    // The chatbot fixture, its topic list made unknown.
    let dir = fixture("chatbot");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).expect("fixture file");
    let chatbot = format!("{}{}", read("providers.tf"), read("main.tf")).replace(
        "sns_topic_arns     = [aws_sns_topic.chat.arn]",
        "sns_topic_arns     = var.chat_topics",
    ) + "variable \"chat_topics\" { type = list(string) }\n";
    assert!(chatbot.contains("var.chat_topics"));
    let chatbot = chatbot.as_str();
    let plain = chatbot
        .replace(
            "sns_topic_arns     = var.chat_topics",
            "sns_topic_arns     = []",
        )
        .replace(
            "variable \"chat_topics\" { type = list(string) }",
            "variable \"chat_topic\" { type = string }\n\
             resource \"aws_sns_topic_subscription\" \"x\" {\n\
               topic_arn = var.chat_topic\n\
               protocol  = \"https\"\n\
               endpoint  = \"https://global.sns-api.chatbot.amazonaws.com\"\n\
             }",
        );
    for (case, stack, what) in [
        (
            "chatbot",
            chatbot,
            "aws_chatbot_slack_channel_configuration.security",
        ),
        (
            "subscription",
            plain.as_str(),
            "aws_sns_topic_subscription.x",
        ),
    ] {
        let (_, report) = scan_stack(stack, ADMIN);
        let sub004 = outcomes(&report, "SUB004", "guardduty-chat");
        assert_eq!(sub004.len(), 1, "{case}: {sub004:?}");
        assert_eq!(sub004[0].0, "not_assessed", "{case}");
        assert!(
            sub004[0].1.starts_with(&format!(
                "{what} may be on topic guardduty-chat: its topic is"
            )),
            "{case}: {}",
            sub004[0].1
        );
        assert_eq!(
            statuses(&report, "ROUTE002", ""),
            ["not_assessed"],
            "{case}"
        );
        assert_eq!(statuses(&report, "ROUTE001", ""), ["fail"], "{case}");
    }
}
