# GuardDuty delegated-admin account (111111111111), two regions.
# The skip_* settings let `terraform plan` run offline against the moto server
# that regenerate.sh starts (endpoints come from AWS_ENDPOINT_URL_* env vars).

provider "aws" {
  alias  = "west"
  region = "us-west-2"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/alerting-admin"
    session_name = "alertpath-fixture"
  }

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
}

provider "aws" {
  alias  = "east"
  region = "us-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/alerting-admin"
    session_name = "alertpath-fixture"
  }

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
}
variable "pagerduty_integration_key" {
  description = "PagerDuty Events API v1 integration key of the GuardDuty service."
  type        = string
  sensitive   = true
}

variable "pagerduty_cloudwatch_integration_key" {
  description = "PagerDuty integration key of the CloudWatch (failover) service."
  type        = string
  sensitive   = true
}

variable "slack_channel" {
  type    = string
  default = "#security-alerts"
}
data "aws_caller_identity" "current" {
  provider = aws.west
}

locals {
  account_id = data.aws_caller_identity.current.account_id

  pager_topic_name    = "gd-pager"
  slack_topic_name    = "gd-slack"
  failover_topic_name = "gd-failover"
  notifier_name       = "gd-notify-slack"
}
# Root console sign-in events are only delivered in us-east-1.
resource "aws_cloudwatch_event_rule" "root_login" {
  provider = aws.east

  name        = "root-account-console-login"
  description = "Root user signed in to the AWS console"

  event_pattern = jsonencode({
    "detail-type" = ["AWS Console Sign In via CloudTrail"]
    detail = {
      userIdentity = {
        type = ["Root"]
      }
    }
  })
}

resource "aws_cloudwatch_event_target" "root_login_pager" {
  provider = aws.east

  rule      = aws_cloudwatch_event_rule.root_login.name
  target_id = "send-to-sns-pagerduty"
  arn       = aws_sns_topic.pager_east.arn
}
