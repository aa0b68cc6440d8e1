provider "aws" {
  region = "us-east-1"
}
module "again" {
  source = "./"
}
