//! MERGE POINT: stands in for `super::hcl::read_dir`, which the HCL source
//! provides. The merge replaces this module and the call in `super::read`.

use std::path::Path;

use super::model::TfStack;

/// The HCL source is not part of this build.
#[derive(Debug, thiserror::Error)]
#[error("{dir}: --terraform: HCL source not built yet")]
pub struct HclUnavailable {
    /// The directory asked for.
    pub dir: String,
}

/// Read a Terraform directory (not available in this build).
pub fn read_dir(dir: &Path) -> Result<TfStack, HclUnavailable> {
    Err(HclUnavailable {
        dir: dir.display().to_string(),
    })
}
