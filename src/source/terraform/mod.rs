//! Terraform sources: `terraform show -json` plan output (P) and HCL source (H).
//! Both produce a [`model::TfStack`]; one adapter turns a stack into the
//! inventory, so plan and HCL are judged identically.

pub mod adapt;
pub mod address;
pub mod config_index;
mod hcl_stub;
pub mod model;
pub mod plan;
pub mod secrets;

use std::path::Path;

use crate::config::TerraformConfig;
use crate::inventory::{Inventory, SourceKind};

/// Read Terraform input into an inventory: `--plan` (values), `--terraform DIR`
/// (HCL; with a plan, it supplies file:line locations only), or both.
pub fn read(
    plan_file: Option<&Path>,
    dir: Option<&Path>,
    config: &TerraformConfig,
) -> anyhow::Result<Inventory> {
    let hcl = match dir {
        Some(dir) => Some(hcl_stub::read_dir(dir)?),
        None => None,
    };
    let (stack, kind) = match (plan_file, hcl) {
        (Some(file), hcl) => {
            let mut stack = plan::read(file)?;
            if let Some(hcl) = &hcl {
                merge_locations(&mut stack, hcl);
            }
            (stack, SourceKind::Plan)
        }
        (None, Some(hcl)) => (hcl, SourceKind::Hcl),
        (None, None) => anyhow::bail!("give --plan FILE and/or --terraform DIR"),
    };
    Ok(adapt::adapt(&stack, config, kind))
}

/// Copy source positions from an HCL stack onto a plan stack, by address.
pub fn merge_locations(plan: &mut model::TfStack, hcl: &model::TfStack) {
    let by_address: std::collections::HashMap<&str, &model::TfResource> = hcl
        .resources
        .iter()
        .map(|r| (r.address.as_str(), r))
        .collect();
    for r in &mut plan.resources {
        if let Some(h) = by_address.get(r.address.as_str()) {
            r.location = h.location.clone();
            r.attribute_locations = h.attribute_locations.clone();
        }
    }
    for secret in &mut plan.hardcoded_secrets {
        if let Some(h) = hcl
            .hardcoded_secrets
            .iter()
            .find(|s| s.origin.address == secret.origin.address && s.attribute == secret.attribute)
        {
            secret.origin.location = h.origin.location.clone();
            secret.origin.attributes = h.origin.attributes.clone();
        }
    }
    for input in &hcl.inputs {
        if !plan.inputs.contains(input) {
            plan.inputs.push(input.clone());
        }
    }
}
