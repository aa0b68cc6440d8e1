//! SSM: `DescribeParameters` filtered by name (metadata only; values are never
//! read, there is no `GetParameter` in the collector).

use crate::inventory::{Observed, Origin, Parameter};
use crate::source::aws::errors::classify;

/// Name fragments that mark a parameter as a secret holder (SEC001).
pub const NAME_FRAGMENTS: &[&str] = crate::endpoints::secrets::SECRET_PARAMETER_NAME_FILTERS;

/// Parameters whose name contains a fragment or a configured name.
pub async fn parameters(
    client: &aws_sdk_ssm::Client,
    configured: &[String],
) -> Observed<Vec<Parameter>> {
    let values: Vec<String> = NAME_FRAGMENTS
        .iter()
        .map(|s| s.to_string())
        .chain(configured.iter().cloned())
        .collect();
    let filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
        .key("Name")
        .option("Contains")
        .set_values(Some(values))
        .build();
    let filter = match filter {
        Ok(f) => f,
        Err(e) => {
            return Observed::Gap(crate::source::aws::errors::other(
                "ssm:DescribeParameters",
                e,
            ));
        }
    };
    let listed = client
        .describe_parameters()
        .parameter_filters(filter)
        .into_paginator()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(pages) => Observed::Collected(
            pages
                .iter()
                .flat_map(|p| p.parameters())
                .map(|p| {
                    let name = p.name().unwrap_or_default().to_string();
                    Parameter {
                        origin: Origin::arn(p.arn().unwrap_or_default()),
                        referenced: configured.contains(&name),
                        name: name.into(),
                        parameter_type: p
                            .r#type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default()
                            .into(),
                    }
                })
                .collect(),
        ),
        Err(e) => Observed::Gap(classify("ssm:DescribeParameters", &e)),
    }
}
