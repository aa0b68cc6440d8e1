//! Where a Terraform resource is: the one owner of region resolution, and of
//! what a resource whose region cannot be decided becomes (docs/terms.md,
//! "Presence that cannot be decided").
//!
//! Order: the resource's own `region` (AWS provider 6), then its provider's
//! `region` (a literal or a resolved variable; both set by the source), then
//! `[terraform] regions` when it names exactly one region, then
//! `AWS_REGION`/`AWS_DEFAULT_REGION` at scan time (recorded in the inventory).

use crate::config::TerraformConfig;
use crate::inventory::{EnvironmentRegion, Known, Origin, UndecidedPresence, Unresolved};
use crate::source::terraform::model::TfResource;

/// The fallbacks after the resource and its provider.
pub(super) struct Fallback<'a> {
    /// `[terraform] regions`, when it names exactly one region.
    configured: Option<&'a str>,
    /// `AWS_REGION`/`AWS_DEFAULT_REGION`.
    environment: Option<&'a EnvironmentRegion>,
}

/// Where a resource was placed.
pub(super) enum Placed {
    /// In this region; `from_env` when only the environment gave it.
    Region {
        /// The region.
        region: String,
        /// Whether it came from `AWS_REGION`/`AWS_DEFAULT_REGION`.
        from_env: bool,
    },
    /// Nowhere: the provider's region expression that could not be resolved.
    Unknown(String),
}

impl<'a> Fallback<'a> {
    /// The fallbacks of a stack's config and environment.
    pub(super) fn new(
        config: &'a TerraformConfig,
        environment: Option<&'a EnvironmentRegion>,
    ) -> Self {
        Fallback {
            configured: match config.regions.as_slice() {
                [only] => Some(only.as_str()),
                _ => None,
            },
            environment,
        }
    }

    /// The region of a resource, in the documented order.
    pub(super) fn region_of(&self, r: &TfResource) -> Placed {
        let expression = match &r.region {
            Known::Value(region) => {
                return Placed::Region {
                    region: region.clone(),
                    from_env: false,
                };
            }
            Known::Unknown(m) => m
                .unknown
                .expression
                .clone()
                .unwrap_or_else(|| "provider region".to_string()),
        };
        if let Some(region) = self.configured {
            return Placed::Region {
                region: region.to_string(),
                from_env: false,
            };
        }
        if let Some(env) = self.environment {
            return Placed::Region {
                region: env.region.clone(),
                from_env: true,
            };
        }
        Placed::Unknown(expression)
    }
}

/// Why a resource whose region is `expression` (unresolved) is maybe present.
pub(super) fn region_unknown(expression: &str) -> String {
    format!(
        "its region could not be determined (`{expression}`; `[terraform] regions` does not name exactly one region, and AWS_REGION/AWS_DEFAULT_REGION are not set)"
    )
}

/// A resource whose presence is undecided, for the inventory.
pub(super) fn undecided(
    r: &TfResource,
    account: &str,
    region: Option<&str>,
    why: &str,
    judged_as_one: bool,
) -> UndecidedPresence {
    UndecidedPresence {
        origin: origin(r),
        kind: full_kind(r),
        account: Some(account.to_string()),
        region: region.map(str::to_string),
        judged_as_one,
        reason: why.to_string(),
    }
}

/// The SCAN004 item naming a resource left out because its region
/// (`expression`) is unknown.
pub(super) fn left_out(r: &TfResource, expression: &str) -> Unresolved {
    Unresolved {
        origin: origin(r),
        expression: expression.to_string(),
        reason: format!(
            "the region of {} is unknown: `[terraform] regions` does not name exactly one region, and AWS_REGION/AWS_DEFAULT_REGION are not set; the rules it could satisfy are not assessed",
            r.address
        ),
    }
}

/// The note listing what was left out (the first ten by address).
pub(super) fn left_out_note(undecided: &[UndecidedPresence]) -> String {
    let names: Vec<&str> = undecided
        .iter()
        .filter(|u| u.region.is_none())
        .filter_map(|u| u.origin.address.as_deref())
        .collect();
    let shown: Vec<&str> = names.iter().take(10).copied().collect();
    let more = match names.len().saturating_sub(shown.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(
        "{} Terraform resources were left out because their region could not be determined (see SCAN004): {}{more}",
        names.len(),
        shown.join(", ")
    )
}

fn origin(r: &TfResource) -> Origin {
    Origin {
        address: Some(r.address.clone()),
        location: r.location.clone(),
        ..Origin::default()
    }
}

fn full_kind(r: &TfResource) -> String {
    match r.mode {
        crate::source::terraform::model::Mode::Data => format!("data.{}", r.kind),
        crate::source::terraform::model::Mode::Managed => r.kind.clone(),
    }
}
