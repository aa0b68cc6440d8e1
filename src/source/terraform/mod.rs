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
        Some(dir) => Some(hcl::read_dir(dir, vars, &repo_root(dir))?),
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
    Ok(adapt::adapt_with_pager_patterns(
        &stack,
        config,
        kind,
        pager_patterns,
    ))
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

/// Copy source positions from an HCL stack onto a plan stack, by address:
/// resources and their attributes, and the places of literals (SEC002).
pub fn merge_locations(plan: &mut model::TfStack, hcl: &model::TfStack) {
    hcl::attach_locations(plan, hcl);
    for literal in &mut plan.literals {
        if let Some(h) = hcl
            .literals
            .iter()
            .find(|h| h.address == literal.address && h.attribute == literal.attribute)
        {
            literal.location = h.location.clone();
        }
    }
}
