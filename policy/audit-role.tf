# Deploys alertpath's read-only audit role in one account. Apply it in every
# account of the organization but the one alertpath runs from (for example with
# a provider per account, or through a StackSet-like pipeline); the policy is
# policy/alertpath-audit-policy.json, which `alertpath init-policy` prints. In
# the management account set `management_policy = true`: the role then may also
# list the organization (policy/alertpath-management-policy.json, `alertpath
# init-policy --for management`), and scans pass `--management-role
# alertpath-audit`.
#
#   module "alertpath_audit" {
#     source            = "./policy"          # this directory
#     trusted_principal = "arn:aws:iam::111111111111:role/ci-security-scanner"
#     external_id       = "choose-one"        # optional
#     management_policy = false               # true in the management account
#   }

variable "role_name" {
  description = "Name of the audit role (alertpath --role-name)."
  type        = string
  default     = "alertpath-audit"
}

variable "trusted_principal" {
  description = "ARN of the principal that runs alertpath (a CI role, or an account root)."
  type        = string
}

variable "external_id" {
  description = "External id the caller must present (alertpath --external-id); empty for none."
  type        = string
  default     = ""
}

variable "management_policy" {
  description = "Also attach the management policy (set it in the management account only)."
  type        = bool
  default     = false
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.trusted_principal]
    }
    dynamic "condition" {
      for_each = var.external_id == "" ? [] : [var.external_id]
      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "alertpath_audit" {
  name                 = var.role_name
  description          = "Read-only role alertpath assumes to verify GuardDuty alerting"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "alertpath_audit" {
  name   = "alertpath-audit"
  role   = aws_iam_role.alertpath_audit.id
  policy = file("${path.module}/alertpath-audit-policy.json")
}

resource "aws_iam_role_policy" "alertpath_management" {
  count  = var.management_policy ? 1 : 0
  name   = "alertpath-management"
  role   = aws_iam_role.alertpath_audit.id
  policy = file("${path.module}/alertpath-management-policy.json")
}

output "role_arn" {
  value = aws_iam_role.alertpath_audit.arn
}
