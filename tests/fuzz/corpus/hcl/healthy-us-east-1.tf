##############################################################################
# us-east-1
##############################################################################

resource "aws_guardduty_detector" "east" {
  provider = aws.east

  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

resource "aws_guardduty_organization_configuration" "east" {
  provider = aws.east

  auto_enable_organization_members = "ALL"
  detector_id                      = aws_guardduty_detector.east.id
}

# --- SNS topics -------------------------------------------------------------

data "aws_iam_policy_document" "pager_east" {
  provider  = aws.east
  policy_id = "gd-pager-policy"

  statement {
    sid       = "AllowEventBridgePublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:us-east-1:${local.account_id}:${local.pager_topic_name}"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "AllowCloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:us-east-1:${local.account_id}:${local.pager_topic_name}"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "pager_east" {
  provider = aws.east

  name   = local.pager_topic_name
  policy = data.aws_iam_policy_document.pager_east.json
}

data "aws_iam_policy_document" "slack_east" {
  provider  = aws.east
  policy_id = "gd-slack-policy"

  statement {
    sid       = "AllowEventBridgePublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:us-east-1:${local.account_id}:${local.slack_topic_name}"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "slack_east" {
  provider = aws.east

  name   = local.slack_topic_name
  policy = data.aws_iam_policy_document.slack_east.json
}

data "aws_iam_policy_document" "failover_east" {
  provider  = aws.east
  policy_id = "gd-failover-policy"

  statement {
    sid       = "AllowCloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = ["arn:aws:sns:us-east-1:${local.account_id}:${local.failover_topic_name}"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic" "failover_east" {
  provider = aws.east

  name   = local.failover_topic_name
  policy = data.aws_iam_policy_document.failover_east.json
}

# --- Subscriptions ----------------------------------------------------------

resource "aws_sns_topic_subscription" "pagerduty_east" {
  provider = aws.east

  topic_arn              = aws_sns_topic.pager_east.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/${var.pagerduty_integration_key}/enqueue"
  endpoint_auto_confirms = true
}

resource "aws_sns_topic_subscription" "failover_pagerduty_east" {
  provider = aws.east

  topic_arn              = aws_sns_topic.failover_east.arn
  protocol               = "https"
  endpoint               = "https://events.pagerduty.com/integration/${var.pagerduty_cloudwatch_integration_key}/enqueue"
  endpoint_auto_confirms = true
}

# --- Slack notifier (gd-slack -> lambda) ---------------------------------------

data "aws_ssm_parameter" "slack_webhook_east" {
  provider = aws.east

  name            = "/alerting/slack_webhook_url"
  with_decryption = true
}

# The webhook stays encrypted in the Lambda environment: notify-slack decrypts
# SLACK_WEBHOOK_URL with kms_key_arn (registry example "notify-slack-kms").
resource "aws_kms_key" "notify_slack_east" {
  provider = aws.east

  description         = "notify-slack webhook encryption"
  enable_key_rotation = true
}

resource "aws_kms_ciphertext" "slack_webhook_east" {
  provider = aws.east

  key_id    = aws_kms_key.notify_slack_east.key_id
  plaintext = data.aws_ssm_parameter.slack_webhook_east.value
}

module "notify_slack_east" {
  source = "../modules/notify-slack"

  providers = {
    aws = aws.east
  }

  create_sns_topic     = false
  sns_topic_name       = aws_sns_topic.slack_east.name
  lambda_function_name = local.notifier_name

  kms_key_arn       = aws_kms_key.notify_slack_east.arn
  slack_webhook_url = aws_kms_ciphertext.slack_webhook_east.ciphertext_blob
  slack_channel     = var.slack_channel
  slack_username    = "GuardDuty us-east-1"

  cloudwatch_log_group_retention_in_days = 90
}

# --- GuardDuty -> EventBridge -> SNS -----------------------------------------
# Declared directly rather than through trussworks/guardduty-notifications: that
# module's Slack target has a plain-string input transformer, which makes
# notify-slack skip its GuardDuty formatting (EVT005). Both targets here deliver
# the raw finding event.

resource "aws_cloudwatch_event_rule" "guardduty_findings_east" {
  provider = aws.east

  name        = "guardduty-finding-events"
  description = "AWS GuardDuty event findings"

  event_pattern = jsonencode({
    "detail-type" = ["GuardDuty Finding"]
    source        = ["aws.guardduty"]
  })
}

resource "aws_cloudwatch_event_target" "guardduty_slack_east" {
  provider = aws.east

  rule      = aws_cloudwatch_event_rule.guardduty_findings_east.name
  target_id = "send-to-sns-slack"
  arn       = aws_sns_topic.slack_east.arn
}

resource "aws_cloudwatch_event_target" "guardduty_pager_east" {
  provider = aws.east

  rule      = aws_cloudwatch_event_rule.guardduty_findings_east.name
  target_id = "send-to-sns-pagerduty"
  arn       = aws_sns_topic.pager_east.arn
}

# --- Watching the watchers -> gd-failover -------------------------------------

resource "aws_cloudwatch_metric_alarm" "notify_slack_errors_east" {
  provider = aws.east

  alarm_name          = "gd-notify-slack-errors"
  alarm_description   = "notify-slack Lambda invocation errors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  threshold           = 1
  treat_missing_data  = "notBreaching"

  dimensions = {
    FunctionName = module.notify_slack_east.notify_slack_lambda_function_name
  }

  alarm_actions = [aws_sns_topic.failover_east.arn]
  ok_actions    = [aws_sns_topic.failover_east.arn]
}

resource "aws_cloudwatch_metric_alarm" "pager_delivery_failed_east" {
  provider = aws.east

  alarm_name          = "gd-pager-delivery-failed"
  alarm_description   = "SNS could not deliver a GuardDuty page to PagerDuty"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "AWS/SNS"
  metric_name         = "NumberOfNotificationsFailed"
  statistic           = "Sum"
  period              = 300
  threshold           = 1
  treat_missing_data  = "notBreaching"

  dimensions = {
    TopicName = aws_sns_topic.pager_east.name
  }

  alarm_actions = [aws_sns_topic.failover_east.arn]
}

# The failover topic pages too; if that delivery fails, page on the main pager
# topic (a failed failover page must not go unseen either).
resource "aws_cloudwatch_metric_alarm" "failover_delivery_failed_east" {
  provider = aws.east

  alarm_name          = "gd-failover-delivery-failed"
  alarm_description   = "SNS could not deliver a failover page to PagerDuty"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "AWS/SNS"
  metric_name         = "NumberOfNotificationsFailed"
  statistic           = "Sum"
  period              = 300
  threshold           = 1
  treat_missing_data  = "notBreaching"

  dimensions = {
    TopicName = aws_sns_topic.failover_east.name
  }

  alarm_actions = [aws_sns_topic.pager_east.arn]
}

resource "aws_cloudwatch_metric_alarm" "finding_rule_failed_east" {
  provider = aws.east

  alarm_name          = "gd-finding-rule-failed-invocations"
  alarm_description   = "EventBridge could not deliver GuardDuty findings to SNS"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  statistic           = "Sum"
  period              = 300
  threshold           = 1
  treat_missing_data  = "notBreaching"

  dimensions = {
    RuleName = aws_cloudwatch_event_rule.guardduty_findings_east.name
  }

  alarm_actions = [aws_sns_topic.failover_east.arn]
}

# The Lambda "succeeds" when Slack rejects the webhook; catch it in the logs.
resource "aws_cloudwatch_log_metric_filter" "webhook_failures_east" {
  provider = aws.east

  name           = "gd-notify-slack-webhook-failures"
  log_group_name = module.notify_slack_east.lambda_cloudwatch_log_group_name
  pattern        = "?\"HTTP Error\" ?\"URLError\" ?\"invalid_token\" ?\"no_service\""

  metric_transformation {
    name          = "WebhookFailures"
    namespace     = "Alerting/NotifySlack"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "webhook_failures_east" {
  provider = aws.east

  alarm_name          = "gd-notify-slack-webhook-failures"
  alarm_description   = "Slack rejected notify-slack webhook calls"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "Alerting/NotifySlack"
  metric_name         = "WebhookFailures"
  statistic           = "Sum"
  period              = 300
  threshold           = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = [aws_sns_topic.failover_east.arn]

  depends_on = [aws_cloudwatch_log_metric_filter.webhook_failures_east]
}

# --- Secrets kept in SSM as SecureString ---------------------------------------

resource "aws_ssm_parameter" "pagerduty_integration_key_east" {
  provider = aws.east

  name  = "/alerting/pagerduty_integration_key"
  type  = "SecureString"
  value = var.pagerduty_integration_key
}
