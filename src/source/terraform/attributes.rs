//! The attributes the rules read, per resource type: the one list the
//! Terraform adapter uses to decide which unresolved values deserve a SCAN004.

/// Attributes the rules need for `kind` (`data.` prefix for data sources).
pub fn needed(kind: &str) -> &'static [&'static str] {
    match kind {
        "aws_guardduty_detector" => &["enable", "finding_publishing_frequency"],
        "aws_guardduty_organization_admin_account" => &["admin_account_id"],
        "aws_guardduty_organization_configuration" => &[
            "auto_enable",
            "auto_enable_organization_members",
            "detector_id",
        ],
        "aws_guardduty_member" => &["account_id", "detector_id"],
        "aws_guardduty_filter" => &["name", "action", "finding_criteria"],
        "aws_securityhub_organization_admin_account" => &["admin_account_id"],
        "aws_securityhub_finding_aggregator" => &["linking_mode", "specified_regions"],
        "aws_securityhub_member" => &["account_id"],
        "aws_securityhub_automation_rule" => &[
            "rule_name",
            "rule_order",
            "rule_status",
            "is_terminal",
            "criteria",
            "actions",
        ],
        "aws_sns_topic" => &["name", "policy", "kms_master_key_id"],
        "aws_chatbot_slack_channel_configuration"
        | "aws_chatbot_teams_channel_configuration"
        | "awscc_chatbot_slack_channel_configuration"
        | "awscc_chatbot_microsoft_teams_channel_configuration" => &["sns_topic_arns"],
        "aws_sns_topic_policy" => &["arn", "policy"],
        "aws_sns_topic_subscription" => &[
            "topic_arn",
            "protocol",
            "endpoint",
            "endpoint_auto_confirms",
        ],
        "aws_cloudwatch_event_rule" => &[
            "name",
            "event_pattern",
            "state",
            "is_enabled",
            "event_bus_name",
        ],
        "aws_cloudwatch_event_target" => &[
            "rule",
            "arn",
            "input",
            "input_transformer",
            "event_bus_name",
        ],
        "aws_cloudwatch_metric_alarm" => &[
            "namespace",
            "metric_name",
            "dimensions",
            "statistic",
            "alarm_actions",
            "threshold",
            "comparison_operator",
            "evaluation_periods",
            "period",
            "treat_missing_data",
        ],
        "aws_cloudwatch_log_metric_filter" => {
            &["log_group_name", "pattern", "metric_transformation"]
        }
        "aws_lambda_function" => &["function_name", "environment", "kms_key_arn"],
        "aws_lambda_permission" => &["function_name", "principal", "source_arn", "action"],
        "aws_cloudtrail" => &[
            "name",
            "is_multi_region_trail",
            "include_global_service_events",
            "enable_logging",
        ],
        "aws_ssm_parameter" => &["name", "type"],
        "data.aws_ssm_parameter" => &["name"],
        _ => &[],
    }
}
