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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::UnknownKind;
    use crate::source::terraform::model::Mode;

    fn resource(region: Known<String>) -> TfResource {
        TfResource {
            address: "aws_sns_topic.t".into(),
            mode: Mode::Managed,
            kind: "aws_sns_topic".into(),
            values: serde_json::Value::Null,
            unknown: serde_json::Value::Null,
            unknown_kind: Default::default(),
            expressions: Default::default(),
            templates: Default::default(),
            arn_templates: Default::default(),
            references: Default::default(),
            configured: Vec::new(),
            region,
            presence: None,
            account: Known::Value("222222222222".into()),
            location: None,
            attribute_locations: Default::default(),
        }
    }

    fn placed(p: Placed) -> (String, bool) {
        match p {
            Placed::Region { region, from_env } => (region, from_env),
            Placed::Unknown(e) => (format!("unknown: {e}"), false),
        }
    }

    #[test]
    fn region_order_resource_provider_then_single_configured_then_environment() {
        let env = EnvironmentRegion {
            variable: "AWS_REGION".into(),
            region: "eu-west-1".into(),
        };
        let unknown = || {
            resource(Known::unknown(
                UnknownKind::Unresolved,
                Some("provider.aws.region".into()),
            ))
        };
        let one = TerraformConfig {
            regions: vec!["us-west-2".into()],
            ..TerraformConfig::default()
        };
        let two = TerraformConfig {
            regions: vec!["us-west-2".into(), "us-east-1".into()],
            ..TerraformConfig::default()
        };
        // The source's region (the resource's own, else its provider's) wins.
        let known = resource(Known::Value("ap-south-1".into()));
        assert_eq!(
            placed(Fallback::new(&one, Some(&env)).region_of(&known)),
            ("ap-south-1".into(), false)
        );
        // Then a single configured region, before the environment.
        assert_eq!(
            placed(Fallback::new(&one, Some(&env)).region_of(&unknown())),
            ("us-west-2".into(), false)
        );
        // Two configured regions say nothing: the environment decides.
        assert_eq!(
            placed(Fallback::new(&two, Some(&env)).region_of(&unknown())),
            ("eu-west-1".into(), true)
        );
        // Nothing left: unknown, naming the provider's expression.
        assert_eq!(
            placed(Fallback::new(&two, None).region_of(&unknown())),
            ("unknown: provider.aws.region".into(), false)
        );
    }
}
