locals {
  names = { for k, v in var.m : k => upper(v) if v != "" }
  list  = [for i in range(3) : "${i}-%{ if i > 1 }big%{ else }small%{ endif }"]
  heredoc = <<-EOT
    hello ${var.x}
  EOT
}
variable "m" {
  type    = map(string)
  default = { a = "x", b = "" }
}
resource "aws_sns_topic" "t" {
  count = 2
  name  = "t-${count.index}"
}
resource "aws_sns_topic" "u" {
  for_each = toset(["a", "b"])
  name     = each.key
  policy   = jsonencode({ Statement = [{ Effect = "Allow", Resource = aws_sns_topic.t[0].arn }] })
}
module "child" {
  source = "./modules/none"
  x      = local.list[0]
}
