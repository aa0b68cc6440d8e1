resource "aws_sns_topic" "huge" {
  count = 1.5e300
  name  = "t-${count.index}"
}
resource "aws_sns_topic" "large" {
  count = 100000000
  name  = "t-${count.index}"
}
resource "aws_sns_topic" "each" {
  for_each = toset(["a", "b"])
  name     = each.key
}
