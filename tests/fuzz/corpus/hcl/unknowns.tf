resource "aws_guardduty_detector" "main" {
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

resource "aws_sns_topic" "alerts" {
  name = "gd-alerts"
}

resource "aws_sns_topic" "failover" {
  name = "gd-failover"
}

# Topic policy whose Resource is the ARN of a topic created in this plan: the
# policy document data source is deferred to apply time and the policy JSON is
# unknown in the plan.
data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "AllowEventBridgePublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

data "aws_iam_policy_document" "failover" {
  statement {
    sid       = "AllowCloudWatchPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.failover.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_sns_topic_policy" "failover" {
  arn    = aws_sns_topic.failover.arn
  policy = data.aws_iam_policy_document.failover.json
}

resource "aws_cloudwatch_event_rule" "findings" {
  name = "guardduty-finding-events"
  event_pattern = jsonencode({
    "detail-type" = ["GuardDuty Finding"]
    source        = ["aws.guardduty"]
  })
}

resource "aws_cloudwatch_event_target" "alerts" {
  rule      = aws_cloudwatch_event_rule.findings.name
  target_id = "send-to-sns"
  arn       = aws_sns_topic.alerts.arn
}

# Subscription endpoints taken from attributes of resources created in this
# plan (unknown at plan time).
resource "aws_sqs_queue" "buffer" {
  name = "gd-alerts-buffer"
}

resource "aws_sns_topic_subscription" "buffer" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.buffer.arn
}

data "aws_iam_policy_document" "relay_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "relay" {
  name               = "gd-relay"
  assume_role_policy = data.aws_iam_policy_document.relay_assume.json
}

resource "aws_lambda_function" "relay" {
  function_name    = "gd-relay"
  role             = aws_iam_role.relay.arn
  handler          = "notify_slack.lambda_handler"
  runtime          = "python3.11"
  filename         = "../modules/notify-slack/functions/notify_slack.zip"
  source_code_hash = filebase64sha256("../modules/notify-slack/functions/notify_slack.zip")
}

resource "aws_lambda_function_url" "relay" {
  function_name      = aws_lambda_function.relay.function_name
  authorization_type = "NONE"
}

resource "aws_sns_topic_subscription" "relay_https" {
  topic_arn              = aws_sns_topic.alerts.arn
  protocol               = "https"
  endpoint               = aws_lambda_function_url.relay.function_url
  endpoint_auto_confirms = true
}

# Alarm whose action is a topic created in the same plan (unknown ARN).
resource "aws_cloudwatch_metric_alarm" "relay_errors" {
  alarm_name          = "gd-relay-errors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  threshold           = 1

  dimensions = {
    FunctionName = aws_lambda_function.relay.function_name
  }

  alarm_actions = [aws_sns_topic.failover.arn]
}

# A data source deferred to apply time: it depends on a resource that does not
# exist yet, so plan.json has a "read" resource_change for it with unknown
# values, and no entry in prior_state.
resource "aws_ssm_parameter" "webhook" {
  name  = "/alerting/unknowns/slack_webhook_url"
  type  = "SecureString"
  value = "placeholder-rotated-out-of-band"

  lifecycle {
    ignore_changes = [value]
  }
}

data "aws_ssm_parameter" "webhook" {
  name       = aws_ssm_parameter.webhook.name
  depends_on = [aws_ssm_parameter.webhook]
}

resource "aws_sns_topic_subscription" "failover_webhook_relay" {
  topic_arn = aws_sns_topic.failover.arn
  protocol  = "https"
  endpoint  = data.aws_ssm_parameter.webhook.value
}
