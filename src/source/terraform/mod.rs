//! Terraform sources: `terraform show -json` plan output (P) and HCL source (H).
//! Both produce a [`model::TfStack`]; one adapter turns a stack into the
//! inventory, so plan and HCL are judged identically.

pub mod attributes;
pub mod hcl;
pub mod model;
