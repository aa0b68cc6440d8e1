//! Terraform sources: `terraform show -json` plan output (P) and HCL source (H).
//! Both produce a [`model::TfStack`]; one adapter turns a stack into the
//! inventory, so plan and HCL are judged identically.

pub mod adapt;
pub mod address;
pub mod attributes;
pub mod config_index;
pub mod hcl;
pub mod model;
pub mod plan;
mod plan_policy;
pub mod secrets;

use std::path::Path;

use crate::config::TerraformConfig;
use crate::inventory::{Inventory, SourceKind};

/// Read Terraform input into an inventory: `--plan` (values), `--terraform DIR`
/// (HCL; with a plan, it supplies file:line locations only), or both.
pub fn read(
    plan_file: Option<&Path>,
    dir: Option<&Path>,
    vars: &hcl::VarInputs,
    config: &TerraformConfig,
    pager_patterns: &[String],
) -> anyhow::Result<Inventory> {
    let hcl = match dir {
        Some(dir) => {
            let root = vars.repo_root.clone().unwrap_or_else(|| repo_root(dir));
            Some(hcl::read_dir(dir, vars, &root)?)
        }
        None => None,
    };
    let mut pair_note = None;
    let (mut stack, kind) = match (plan_file, hcl) {
        (Some(file), hcl) => {
            let mut stack = plan::read(file)?;
            if let Some(hcl) = &hcl {
                pair_note = mismatch_note(&stack, hcl, dir);
                merge_locations(&mut stack, hcl);
                merge_placement(&mut stack, hcl);
                merge_arn_templates(&mut stack, hcl);
            }
            (stack, SourceKind::Plan)
        }
        (None, Some(hcl)) => (hcl, SourceKind::Hcl),
        (None, None) => anyhow::bail!("give --plan FILE and/or --terraform DIR"),
    };
    stack.environment_region = vars.environment_region.clone();
    let mut inventory = adapt::adapt_with_pager_patterns(&stack, config, kind, pager_patterns);
    inventory.source.notes.extend(pair_note);
    Ok(inventory)
}

/// A note when `--plan` and `--terraform` do not look like one configuration:
/// fewer than half of the plan's resource addresses are declared in the HCL.
/// Their findings then have no `.tf` file and line (they point at
/// `terraform/<address>`), which is otherwise silent.
fn mismatch_note(
    plan: &model::TfStack,
    hcl: &model::TfStack,
    dir: Option<&Path>,
) -> Option<String> {
    // Instance keys aside: HCL whose `count` is unknown declares `x.y`, the
    // plan expands it to `x.y[0]`.
    let block = hcl::block_address;
    let declared: std::collections::HashSet<String> =
        hcl.resources.iter().map(|r| block(&r.address)).collect();
    let total = plan.resources.len();
    let shared = plan
        .resources
        .iter()
        .filter(|r| declared.contains(&block(&r.address)))
        .count();
    (total > 0 && shared * 2 < total).then(|| {
        format!(
            "--plan and --terraform {} share only {shared} of the plan's {total} resource addresses: \
             is this the configuration the plan was made from? Findings on the others have no .tf \
             file and line",
            dir.map(|d| d.display().to_string()).unwrap_or_default()
        )
    })
}

/// The region the AWS provider would take from the environment:
/// `AWS_REGION`, else `AWS_DEFAULT_REGION` (non-empty).
pub fn environment_region() -> Option<crate::inventory::EnvironmentRegion> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|variable| {
            std::env::var(variable)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|region| crate::inventory::EnvironmentRegion {
                    variable: variable.to_string(),
                    region: region.trim().to_string(),
                })
        })
}

/// The repository root for repo-relative paths: the nearest ancestor of `dir`
/// holding `.git`, else the current directory.
pub fn repo_root(dir: &Path) -> std::path::PathBuf {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    start
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| dir.to_path_buf()))
}

/// Give plan resources whose region the plan does not say the region the HCL
/// source resolves for the same address. A plan names a legacy proxy provider
/// block in a child module (`provider "aws" { alias = "dst" }`) with no
/// expressions and without the caller's `providers` map; the source has both.
pub fn merge_placement(plan: &mut model::TfStack, hcl: &model::TfStack) {
    let regions: std::collections::HashMap<&str, &String> = hcl
        .resources
        .iter()
        .filter_map(|r| r.region.value().map(|region| (r.address.as_str(), region)))
        .collect();
    for resource in &mut plan.resources {
        if resource.region.value().is_none()
            && let Some(region) = regions.get(resource.address.as_str())
        {
            resource.region = crate::inventory::Known::Value((*region).clone());
        }
    }
}

/// Give plan attributes that are unknown the text and ARNs the HCL source
/// evaluates them to for the same address, so the adapter can substitute the
/// ARNs it derives. The plan does not record a `jsonencode` policy's shape
/// nor `dynamic` statements, and cannot tell `[aws_sns_topic.t.arn]` from
/// `["${aws_sns_topic.t.arn}:*"]`; the source can, so its parts are preferred.
pub fn merge_arn_templates(plan: &mut model::TfStack, hcl: &model::TfStack) {
    let templates: std::collections::HashMap<&str, &model::TfResource> = hcl
        .resources
        .iter()
        .filter(|r| !r.arn_templates.is_empty())
        .map(|r| (r.address.as_str(), r))
        .collect();
    for resource in &mut plan.resources {
        let Some(source) = templates.get(resource.address.as_str()) else {
            continue;
        };
        for (attribute, parts) in &source.arn_templates {
            if resource.is_unknown(attribute) {
                resource
                    .arn_templates
                    .insert(attribute.clone(), parts.clone());
            }
        }
    }
}

/// Copy source positions from an HCL stack onto a plan stack, by address:
/// resources and their attributes, and the places of literals (SEC002)
/// ([`hcl::SourceIndex`] answers where each is written).
pub fn merge_locations(plan: &mut model::TfStack, hcl: &model::TfStack) {
    hcl::attach_locations(plan, hcl);
}
