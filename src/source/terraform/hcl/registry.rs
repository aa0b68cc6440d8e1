//! Finding a module's source: local paths, `.terraform/modules/modules.json`,
//! built-in models of registry modules whose interfaces are documented
//! (notify-slack, terraform-aws-modules/lambda, trussworks'
//! guardduty-notifications), and [`super::vendored`] copies of others.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::Global;
use super::parse::{ModuleAst, parse_module_dir, parse_module_sources};
use super::vendored;

/// `terraform-aws-modules/notify-slack/aws`: Lambda `notify_slack` (handler
/// `notify_slack.lambda_handler`, env `SLACK_WEBHOOK_URL`), a `lambda`
/// subscription to `sns_topic_name`, an SNS invoke permission, no alarm.
const NOTIFY_SLACK: &str = r#"
variable "create" { default = true }
variable "create_sns_topic" { default = true }
variable "sns_topic_name" {}
variable "lambda_function_name" { default = "notify_slack" }
variable "lambda_description" { default = "" }
variable "slack_webhook_url" {}
variable "slack_channel" { default = null }
variable "slack_username" { default = null }
variable "slack_emoji" { default = ":aws:" }
variable "kms_key_arn" { default = "" }
variable "log_events" { default = false }
variable "iam_role_name_prefix" { default = "lambda" }
variable "cloudwatch_log_group_retention_in_days" { default = 0 }
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
locals {
  sns_topic_arn = "arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${var.sns_topic_name}"
}
resource "aws_cloudwatch_log_group" "lambda" {
  count = var.create ? 1 : 0
  name  = "/aws/lambda/${var.lambda_function_name}"
}
resource "aws_sns_topic" "this" {
  count = var.create_sns_topic && var.create ? 1 : 0
  name  = var.sns_topic_name
}
resource "aws_sns_topic_subscription" "sns_notify_slack" {
  count     = var.create ? 1 : 0
  topic_arn = var.create_sns_topic ? aws_sns_topic.this[0].arn : local.sns_topic_arn
  protocol  = "lambda"
  endpoint  = module.lambda.lambda_function_arn
}
module "lambda" {
  source        = "alertpath-builtin/lambda"
  create        = var.create
  function_name = var.lambda_function_name
  handler       = "notify_slack.lambda_handler"
  kms_key_arn   = var.kms_key_arn
  environment_variables = {
    SLACK_WEBHOOK_URL = var.slack_webhook_url
    SLACK_CHANNEL     = var.slack_channel
    SLACK_USERNAME    = var.slack_username
    SLACK_EMOJI       = var.slack_emoji
    LOG_EVENTS        = var.log_events ? "True" : "False"
  }
  allowed_triggers = {
    AllowExecutionFromSNS = {
      principal  = "sns.amazonaws.com"
      source_arn = local.sns_topic_arn
    }
  }
}
output "slack_topic_arn" { value = local.sns_topic_arn }
output "notify_slack_lambda_function_arn" { value = module.lambda.lambda_function_arn }
output "notify_slack_lambda_function_name" { value = module.lambda.lambda_function_name }
output "lambda_cloudwatch_log_group_arn" { value = try(aws_cloudwatch_log_group.lambda[0].arn, "") }
output "this_slack_topic_arn" { value = try(aws_sns_topic.this[0].arn, "") }
output "notify_slack_lambda_function_invoke_arn" { value = module.lambda.lambda_function_invoke_arn }
output "notify_slack_lambda_function_version" { value = module.lambda.lambda_function_version }
output "notify_slack_lambda_function_last_modified" { value = module.lambda.lambda_function_last_modified }
output "lambda_iam_role_arn" { value = null }
output "lambda_iam_role_name" { value = null }
output "sns_topic_feedback_role_arn" { value = null }
"#;

/// The `terraform-aws-modules/lambda` resources notify-slack uses: the model
/// of notify-slack calls it, and so does the real notify-slack source (as
/// `terraform-aws-modules/lambda/aws`) when a stack vendors it.
const LAMBDA: &str = r#"
variable "create" { default = true }
variable "create_function" { default = true }
variable "function_name" {}
variable "handler" {}
variable "kms_key_arn" { default = "" }
variable "environment_variables" { default = {} }
variable "allowed_triggers" { default = {} }
variable "reserved_concurrent_executions" { default = -1 }
resource "aws_lambda_function" "this" {
  count                          = var.create && var.create_function ? 1 : 0
  function_name                  = var.function_name
  handler                        = var.handler
  runtime                        = "python3.11"
  publish                        = true
  kms_key_arn                    = var.kms_key_arn == "" ? null : var.kms_key_arn
  reserved_concurrent_executions = var.reserved_concurrent_executions
  environment {
    variables = var.environment_variables
  }
}
resource "aws_lambda_permission" "current_version_triggers" {
  for_each      = { for k, v in var.allowed_triggers : k => v if var.create }
  function_name = var.function_name
  qualifier     = aws_lambda_function.this[0].version
  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}
resource "aws_lambda_permission" "unqualified_alias_triggers" {
  for_each      = { for k, v in var.allowed_triggers : k => v if var.create }
  function_name = var.function_name
  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}
output "lambda_function_arn" { value = try(aws_lambda_function.this[0].arn, "") }
output "lambda_function_name" { value = try(aws_lambda_function.this[0].function_name, "") }
output "lambda_function_invoke_arn" { value = try(aws_lambda_function.this[0].invoke_arn, "") }
output "lambda_function_version" { value = try(aws_lambda_function.this[0].version, "") }
output "lambda_function_last_modified" { value = try(aws_lambda_function.this[0].last_modified, "") }
output "lambda_role_arn" { value = null }
output "lambda_role_name" { value = null }
"#;

const GD_RULE: &str = r#"
variable "create_detector" { default = false }
resource "aws_guardduty_detector" "main" {
  count  = var.create_detector ? 1 : 0
  enable = true
}
resource "aws_cloudwatch_event_rule" "main" {
  name          = "guardduty-finding-events"
  description   = "AWS GuardDuty event findings"
  event_pattern = jsonencode({ "detail-type" = ["GuardDuty Finding"], source = ["aws.guardduty"] })
}
output "guardduty_finding_events_rule_name" { value = aws_cloudwatch_event_rule.main.name }
"#;

const GD_TRANSFORMER: &str = r#"
  input_transformer {
    input_paths = {
      title       = "$.detail.title"
      description = "$.detail.description"
      eventTime   = "$.detail.service.eventFirstSeen"
      region      = "$.detail.region"
    }
    input_template = "\"GuardDuty finding in <region> first seen at <eventTime>: <title> <description>\""
  }
"#;

/// trussworks/guardduty-notifications v3–v4: `sns_topic_slack = {arn, name}` objects.
fn guardduty_v3() -> String {
    format!(
        r#"{GD_RULE}
variable "sns_topic_slack" {{}}
variable "sns_topic_pagerduty" {{}}
resource "aws_cloudwatch_event_target" "slack" {{
  rule      = aws_cloudwatch_event_rule.main.name
  target_id = "send-to-sns-slack"
  arn       = var.sns_topic_slack.arn
{GD_TRANSFORMER}}}
resource "aws_cloudwatch_event_target" "pagerduty" {{
  rule      = aws_cloudwatch_event_rule.main.name
  target_id = "send-to-sns-pagerduty"
  arn       = var.sns_topic_pagerduty.arn
}}
"#
    )
}

/// trussworks/guardduty-notifications v5–v6: `*_arn` strings and on/off switches.
fn guardduty_v5() -> String {
    format!(
        r#"{GD_RULE}
variable "sns_topic_slack_arn" {{ default = "" }}
variable "sns_topic_pagerduty_arn" {{ default = "" }}
variable "slack_notifications" {{ default = true }}
variable "pagerduty_notifications" {{ default = true }}
resource "aws_cloudwatch_event_target" "slack" {{
  count     = var.slack_notifications ? 1 : 0
  rule      = aws_cloudwatch_event_rule.main.name
  target_id = "send-to-sns-slack"
  arn       = var.sns_topic_slack_arn
{GD_TRANSFORMER}}}
resource "aws_cloudwatch_event_target" "pagerduty" {{
  count     = var.pagerduty_notifications ? 1 : 0
  rule      = aws_cloudwatch_event_rule.main.name
  target_id = "send-to-sns-pagerduty"
  arn       = var.sns_topic_pagerduty_arn
}}
"#
    )
}

/// A vendored release, parsed once per scan.
fn load_vendored(
    g: &mut Global,
    name: &str,
    files: vendored::Vendored,
) -> Result<Rc<ModuleAst>, String> {
    if let Some(a) = g.builtins.get(name) {
        return Ok(a.clone());
    }
    let sources = files
        .iter()
        .map(|(file, text)| (Some(format!("<{name}>/{file}")), text.to_string()))
        .collect();
    let ast = Rc::new(parse_module_sources(sources).map_err(|e| e.to_string())?);
    g.builtins.insert(name.to_string(), ast.clone());
    Ok(ast)
}

/// The sub-directory of a registry source (`…/aws//modules/metric-alarm`
/// gives `modules/metric-alarm`), if any.
fn registry_subdir(source: &str) -> Option<&str> {
    source
        .split_once("//")
        .map(|(_, sub)| sub.trim_matches('/'))
        .filter(|sub| !sub.is_empty())
}

/// The registry address without host prefix or sub-directory, lower-cased.
fn registry_name(source: &str) -> String {
    let s = source
        .trim()
        .trim_start_matches("registry.terraform.io/")
        .trim_start_matches("registry.opentofu.org/");
    s.split("//").next().unwrap_or(s).to_ascii_lowercase()
}

fn major(version: Option<&str>) -> Option<u32> {
    let v = version?;
    let start = v.find(|c: char| c.is_ascii_digit())?;
    v[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn builtin(
    g: &mut Global,
    name: &str,
    text: impl FnOnce() -> String,
) -> Result<Rc<ModuleAst>, String> {
    if let Some(a) = g.builtins.get(name) {
        return Ok(a.clone());
    }
    let ast = Rc::new(parse_module_sources(vec![(None, text())]).map_err(|e| e.to_string())?);
    g.builtins.insert(name.to_string(), ast.clone());
    Ok(ast)
}

/// Resolve a module source to its parsed files, directory, and whether it is a built-in model.
pub(super) fn resolve(
    g: &mut Global,
    parent_dir: &Path,
    source: &str,
    version: Option<&str>,
    key_path: &[String],
    inputs: &[String],
) -> Result<(Rc<ModuleAst>, PathBuf, bool), String> {
    if source.starts_with("./") || source.starts_with("../") {
        let dir = parent_dir.join(source);
        return load_dir(g, &dir).map(|a| (a, dir, false));
    }
    if let Some(dir) = g.manifest.get(&key_path.join(".")) {
        let dir = g.root_dir.join(dir);
        return load_dir(g, &dir).map(|a| (a, dir, false));
    }
    let name = registry_name(source);
    let here = parent_dir.to_path_buf();
    if let Some((key, files)) = vendored::release(&name, major(version), registry_subdir(source)) {
        return load_vendored(g, key, files).map(|a| (a, here, true));
    }
    match name.as_str() {
        "alertpath-builtin/lambda" | "terraform-aws-modules/lambda/aws" => {
            builtin(g, "lambda", || LAMBDA.to_string()).map(|a| (a, here, true))
        }
        "terraform-aws-modules/notify-slack/aws" => {
            builtin(g, "notify-slack", || NOTIFY_SLACK.to_string()).map(|a| (a, here, true))
        }
        "trussworks/guardduty-notifications/aws" => {
            let v3 = match major(version) {
                Some(m) => m <= 4,
                None => inputs
                    .iter()
                    .any(|i| i == "sns_topic_slack" || i == "sns_topic_pagerduty"),
            };
            if v3 {
                builtin(g, "guardduty-v3", guardduty_v3).map(|a| (a, here, true))
            } else {
                builtin(g, "guardduty-v5", guardduty_v5).map(|a| (a, here, true))
            }
        }
        _ => Err(format!(
            "module source `{source}` is not downloaded (no .terraform/modules) and not modelled"
        )),
    }
}

fn load_dir(g: &mut Global, dir: &Path) -> Result<Rc<ModuleAst>, String> {
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(a) = g.cache.get(&key) {
        return Ok(a.clone());
    }
    match parse_module_dir(dir, &g.repo_root) {
        Ok(ast) => {
            for f in ast.files.iter().filter_map(|f| f.path.clone()) {
                if !g.stack.inputs.contains(&f) {
                    g.stack.inputs.push(f);
                }
            }
            let ast = Rc::new(ast);
            g.cache.insert(key, ast.clone());
            Ok(ast)
        }
        Err(super::HclError::Syntax {
            file,
            line,
            column,
            message,
        }) => {
            g.errors.push(super::HclError::Syntax {
                file,
                line,
                column,
                message,
            });
            Err("module has a syntax error".into())
        }
        Err(e) => Err(format!("module directory {}: {e}", dir.display())),
    }
}

/// Read `.terraform/modules/modules.json` under the root module: key → directory.
pub(super) fn read_manifest(root_dir: &Path) -> std::collections::HashMap<String, String> {
    let path = root_dir.join(".terraform/modules/modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Default::default();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Default::default();
    };
    json.get("Modules")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some((
                m.get("Key")?.as_str()?.to_string(),
                m.get("Dir")?.as_str()?.to_string(),
            ))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect()
}
