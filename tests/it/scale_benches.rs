//! Scale benches (ignored; timings are printed, never asserted):
//!
//! `cargo test --release --test it scale_benches -- --ignored --nocapture`
//!
//! - a ~20 MB plan whose module instances all hold a function named
//!   `notify_slack` under the placeholder account in one region (every
//!   permission's name matches every function), read and adapted;
//! - an HCL tree of 8,000 resources (and the same at 1,000/2,000/4,000, to
//!   show how the time grows), read and adapted.

use std::fmt::Write as _;
use std::time::Instant;

use alertpath::config::TerraformConfig;
use alertpath::inventory::SourceKind;
use alertpath::source::terraform::{adapt, hcl, plan};
use serde_json::{Value, json};

/// A plan of `instances` notify-slack module instances (`module.notify["nK"]`),
/// each a topic, a function named `notify_slack`, a permission naming it by
/// reference, and a lambda subscription; provider region us-east-1, no account.
pub fn same_named_functions_plan(instances: usize) -> String {
    let mut planned = Vec::with_capacity(instances);
    let mut changes = Vec::with_capacity(instances * 4);
    for i in 0..instances {
        let module = format!("module.notify[\"n{i}\"]");
        let resources = [
            (
                "aws_sns_topic",
                "this",
                json!({"name": format!("alerts-{i}"), "policy": null, "kms_master_key_id": null, "tags": {"Team": format!("team-{i}"), "Purpose": "GuardDuty findings to Slack"}}),
                json!({"arn": true, "id": true, "policy": true, "tags_all": true}),
            ),
            (
                "aws_lambda_function",
                "this",
                json!({"function_name": "notify_slack", "handler": "notify_slack.lambda_handler", "runtime": "python3.11", "timeout": 30, "role": "arn:aws:iam::123456789012:role/notify-slack", "environment": [{"variables": {"SLACK_CHANNEL": format!("alerts-{i}"), "SLACK_USERNAME": "reporter", "SLACK_EMOJI": ":aws:", "LOG_EVENTS": "False"}}], "tags": {"Team": format!("team-{i}")}}),
                json!({"arn": true, "id": true, "invoke_arn": true, "qualified_arn": true, "version": true, "environment": [{"variables": {"SLACK_WEBHOOK_URL": true}}], "tags_all": true}),
            ),
            (
                "aws_lambda_permission",
                "sns",
                json!({"function_name": "notify_slack", "statement_id": "AllowExecutionFromSNS", "action": "lambda:InvokeFunction", "principal": "sns.amazonaws.com"}),
                json!({"id": true}),
            ),
            (
                "aws_sns_topic_subscription",
                "this",
                json!({"protocol": "lambda", "endpoint_auto_confirms": false, "raw_message_delivery": false}),
                json!({"arn": true, "id": true, "topic_arn": true, "endpoint": true}),
            ),
        ];
        let mut values = Vec::new();
        for (kind, name, after, unknown) in resources {
            let address = format!("{module}.{kind}.{name}");
            values.push(json!({
                "address": address, "mode": "managed", "type": kind, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                "values": after, "sensitive_values": {}
            }));
            changes.push(json!({
                "address": address, "module_address": module, "mode": "managed", "type": kind,
                "name": name, "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": null, "after": after,
                           "after_unknown": unknown, "before_sensitive": false, "after_sensitive": {}}
            }));
        }
        planned.push(json!({"address": module, "resources": values}));
    }
    let refs =
        |r: &str| json!({"references": [format!("{r}"), r.rsplit_once('.').map_or(r, |(h, _)| h)]});
    let module_config = json!({
        "resources": [
            {"address": "aws_sns_topic.this", "mode": "managed", "type": "aws_sns_topic", "name": "this",
             "provider_config_key": "aws", "expressions": {"name": {"references": ["var.name"]}}},
            {"address": "aws_lambda_function.this", "mode": "managed", "type": "aws_lambda_function", "name": "this",
             "provider_config_key": "aws", "expressions": {"function_name": {"constant_value": "notify_slack"}}},
            {"address": "aws_lambda_permission.sns", "mode": "managed", "type": "aws_lambda_permission", "name": "sns",
             "provider_config_key": "aws", "expressions": {
                "function_name": refs("aws_lambda_function.this.function_name"),
                "principal": {"constant_value": "sns.amazonaws.com"}}},
            {"address": "aws_sns_topic_subscription.this", "mode": "managed", "type": "aws_sns_topic_subscription", "name": "this",
             "provider_config_key": "aws", "expressions": {
                "topic_arn": refs("aws_sns_topic.this.arn"),
                "endpoint": refs("aws_lambda_function.this.arn"),
                "protocol": {"constant_value": "lambda"}}}
        ],
        "variables": {"name": {}}
    });
    let plan = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"child_modules": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"module_calls": {"notify": {
                "source": "./modules/notify", "for_each_expression": {"references": ["local.teams"]},
                "module": module_config}}}
        }
    });
    plan.to_string()
}

/// An HCL module of about `resources` resources in files of 5: a topic, its
/// policy document, topic policy, and two alarms per file.
pub fn hcl_tree(resources: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("providers.tf"),
        "provider \"aws\" { region = \"us-west-2\" }\nvariable \"env\" { default = \"prod\" }\n",
    )
    .expect("write");
    for i in 0..resources.div_ceil(5) {
        let mut text = String::new();
        let _ = write!(
            text,
            "locals {{ name_{i} = \"gd-${{var.env}}-{i}\" }}\n\
             resource \"aws_sns_topic\" \"t{i}\" {{ name = local.name_{i} }}\n\
             data \"aws_iam_policy_document\" \"p{i}\" {{\n  statement {{\n    actions = [\"sns:Publish\"]\n    resources = [aws_sns_topic.t{i}.arn]\n    principals {{\n      type = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }}\n  }}\n}}\n\
             resource \"aws_sns_topic_policy\" \"p{i}\" {{\n  arn = aws_sns_topic.t{i}.arn\n  policy = data.aws_iam_policy_document.p{i}.json\n}}\n\
             resource \"aws_cloudwatch_metric_alarm\" \"a{i}\" {{\n  count = 2\n  alarm_name = \"a-{i}-${{count.index}}\"\n  namespace = \"AWS/SNS\"\n  metric_name = \"NumberOfNotificationsFailed\"\n  statistic = \"Sum\"\n  dimensions = {{ TopicName = aws_sns_topic.t{i}.name }}\n  alarm_actions = [aws_sns_topic.t{i}.arn]\n}}\n"
        );
        std::fs::write(dir.path().join(format!("f{i:05}.tf")), text).expect("write");
    }
    dir
}

#[test]
#[ignore]
fn bench_plan_20mb_same_named_functions() {
    // ALERTPATH_BENCH_INSTANCES: other sizes (5,100 instances make ~20 MB).
    let instances = std::env::var("ALERTPATH_BENCH_INSTANCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_100);
    let text = same_named_functions_plan(instances);
    let mb = text.len() as f64 / 1e6;
    let start = Instant::now();
    let stack = plan::parse(&text, "bench.json").expect("parses");
    let parsed = start.elapsed();
    let inventory = adapt::adapt(&stack, &TerraformConfig::default(), SourceKind::Plan);
    let total = start.elapsed();
    let functions: usize = inventory
        .accounts
        .values()
        .flat_map(|a| a.regions.values())
        .filter_map(|slot| match slot {
            alertpath::inventory::RegionSlot::Enabled(f) => f.collected().map(|f| {
                f.functions.collected().map_or(0, |fs| {
                    fs.iter().filter(|f| f.policy.value().is_some()).count()
                })
            }),
            _ => None,
        })
        .sum();
    println!(
        "plan: {mb:.1} MB, {} resources, {functions} functions with a policy: parse {:.3} s, total {:.3} s",
        stack.resources.len(),
        parsed.as_secs_f64(),
        total.as_secs_f64()
    );
}

#[test]
#[ignore]
fn bench_hcl_8000_resources() {
    let largest = std::env::var("ALERTPATH_BENCH_RESOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8_000usize);
    for n in [largest / 8, largest / 4, largest / 2, largest] {
        let dir = hcl_tree(n);
        let start = Instant::now();
        let stack =
            hcl::read_dir(dir.path(), &hcl::VarInputs::default(), dir.path()).expect("reads");
        let read = start.elapsed();
        let _ = adapt::adapt(&stack, &TerraformConfig::default(), SourceKind::Hcl);
        println!(
            "hcl: {} resources: read {:.3} s, total {:.3} s",
            stack.resources.len(),
            read.as_secs_f64(),
            start.elapsed().as_secs_f64()
        );
    }
}

/// The generators make what the benches claim (runs in the normal suite).
#[test]
fn generators_make_what_they_say() {
    let text = same_named_functions_plan(3);
    let stack = plan::parse(&text, "gen.json").expect("parses");
    assert_eq!(stack.resources.len(), 12);
    let inventory = adapt::adapt(&stack, &TerraformConfig::default(), SourceKind::Plan);
    let facts = inventory
        .facts("000000000000", "us-east-1")
        .expect("one bucket");
    let functions = facts.functions.collected().expect("functions");
    assert_eq!(functions.len(), 3);
    for f in functions {
        // One permission each, by reference (never its namesakes').
        let policy: Value = serde_json::from_str(
            f.policy
                .value()
                .and_then(|p| p.as_deref())
                .unwrap_or("null"),
        )
        .unwrap_or(Value::Null);
        assert_eq!(
            policy["Statement"].as_array().map(Vec::len),
            Some(1),
            "{:?}",
            f.policy
        );
    }
    let dir = hcl_tree(10);
    let stack = hcl::read_dir(dir.path(), &hcl::VarInputs::default(), dir.path()).expect("reads");
    assert_eq!(
        stack.resources.len(),
        10,
        "2 files of 4 resources and 1 data source"
    );
}
