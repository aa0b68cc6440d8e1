//! GuardDuty suppression rules: which sample findings a filter with action
//! `ARCHIVE` on the admin's detector hides. Suppressed findings are archived at
//! once and never sent to EventBridge, so the path enumerator starts every
//! finding's path here, and GD006 judges each filter with the same function
//! ([`filter_hides`]).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::Value;

use crate::finding_filter::{self, Operator};
use crate::inventory::{GuardDutyFilter, Inventory, Known, Observed, UnknownKind};
use crate::samples;

/// What one filter does to one finding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FilterEffect {
    /// The filter archives it (a suppression rule that matches).
    Hides,
    /// The filter lets it through (no match, or not a suppression rule).
    Passes,
    /// It cannot be told; the reason names the field or value.
    Unknown(String, UnknownKind),
}

/// Every finding field the sample findings carry (dotted paths, arrays entered).
static SAMPLE_FIELDS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let mut fields = BTreeSet::new();
    for sample in samples::guardduty_findings()
        .iter()
        .chain([samples::root_credential_usage_finding()])
    {
        if let Some(detail) = sample.value().get("detail") {
            collect_fields(detail, "", &mut fields);
        }
    }
    fields
});

fn collect_fields(value: &Value, prefix: &str, into: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if !v.is_null() {
                    into.insert(path.clone());
                }
                collect_fields(v, &path, into);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_fields(item, prefix, into);
            }
        }
        _ => {}
    }
}

/// A filter's name for messages.
pub(crate) fn filter_label(filter: &GuardDutyFilter) -> String {
    filter
        .name
        .value()
        .cloned()
        .or_else(|| filter.origin.label().map(str::to_string))
        .unwrap_or_else(|| "filter".to_string())
}

/// Whether a filter is a suppression rule (action `ARCHIVE`); `None` when unknown.
pub(crate) fn is_suppression_rule(filter: &GuardDutyFilter) -> Option<bool> {
    filter
        .action
        .value()
        .map(|a| a.eq_ignore_ascii_case("ARCHIVE"))
}

/// The one decision: does `filter` archive `finding` (an EventBridge GuardDuty
/// event)? Criteria are evaluated with GuardDuty's condition semantics against
/// the finding's `detail`; a criterion on a field no sample finding carries
/// cannot be judged from the samples, and is unknown, naming the field.
pub(crate) fn filter_hides(filter: &GuardDutyFilter, finding: &Value) -> FilterEffect {
    match &filter.action {
        Known::Unknown(m) => {
            return FilterEffect::Unknown(
                format!("filter action: {}", m.unknown.describe()),
                m.unknown.kind,
            );
        }
        Known::Value(a) if !a.eq_ignore_ascii_case("ARCHIVE") => return FilterEffect::Passes,
        Known::Value(_) => {}
    }
    let criteria = match &filter.criteria {
        Known::Value(c) => c,
        Known::Unknown(m) => {
            return FilterEffect::Unknown(
                format!("finding criteria: {}", m.unknown.describe()),
                m.unknown.kind,
            );
        }
    };
    if let Some(c) = criteria.iter().find(|c| !SAMPLE_FIELDS.contains(&c.field)) {
        return FilterEffect::Unknown(
            format!(
                "a criterion on field `{}`, which the sample findings do not carry",
                c.field
            ),
            UnknownKind::NotObservable,
        );
    }
    let detail = finding.get("detail").unwrap_or(&Value::Null);
    let mut unknown = None;
    for criterion in criteria {
        let values = finding_filter::field_values(detail, &criterion.field);
        for condition in &criterion.conditions {
            let Some(operator) = Operator::parse(&condition.operator) else {
                unknown.get_or_insert(format!(
                    "field `{}`: unknown operator `{}`",
                    criterion.field, condition.operator
                ));
                continue;
            };
            match finding_filter::holds(operator, &condition.values, &values) {
                Ok(Some(true)) => {}
                Ok(Some(false)) => return FilterEffect::Passes,
                Ok(None) => {
                    unknown.get_or_insert(format!(
                        "field `{}`: {} on a field the finding lacks",
                        criterion.field, condition.operator
                    ));
                }
                Err(why) => {
                    unknown.get_or_insert(format!("field `{}`: {why}", criterion.field));
                }
            }
        }
    }
    match unknown {
        Some(why) => FilterEffect::Unknown(why, UnknownKind::NotObservable),
        None => FilterEffect::Hides,
    }
}

/// The admin's filters in a region, or why they are not known.
pub(crate) fn filters_of<'a>(
    inventory: &'a Inventory,
    account: &str,
    region: &str,
) -> Result<&'a [GuardDutyFilter], String> {
    let Some(facts) = inventory.facts(account, region) else {
        return Err(format!("{account}/{region} was not collected"));
    };
    let gd = match &facts.guardduty {
        Observed::Collected(gd) => gd,
        Observed::Gap(gap) => return Err(gap.describe()),
    };
    if gd.detectors.is_empty() {
        // No detector, no filters.
        return Ok(&[]);
    }
    match &gd.filters {
        Some(Observed::Collected(filters)) => Ok(filters),
        Some(Observed::Gap(gap)) => Err(gap.describe()),
        None => Err(format!(
            "the GuardDuty filters of account {account} in {region} were not collected (a snapshot written before alertpath read suppression rules is not assessed: collect it again)"
        )),
    }
}

/// What the suppression rules of the bus account's detector do to one event.
pub(crate) enum Suppression<'a> {
    /// Not a GuardDuty finding, or no filter hides it.
    Delivered,
    /// This suppression rule archives it.
    Hidden(&'a GuardDutyFilter),
    /// It cannot be told: the filter (when one is to blame) and why.
    Unknown(Option<&'a GuardDutyFilter>, String, UnknownKind),
}

/// Does a suppression rule of `account`'s detector in `region` archive `event`
/// before EventBridge sees it? Only GuardDuty findings are affected.
pub(crate) fn suppression<'a>(
    inventory: &'a Inventory,
    account: &str,
    region: &str,
    event: &Value,
) -> Suppression<'a> {
    if samples::finding_severity(event).is_none() {
        return Suppression::Delivered;
    }
    let filters = match filters_of(inventory, account, region) {
        Ok(f) => f,
        Err(why) => return Suppression::Unknown(None, why, UnknownKind::NotObservable),
    };
    let mut unknown = None;
    for filter in filters {
        match filter_hides(filter, event) {
            FilterEffect::Hides => return Suppression::Hidden(filter),
            FilterEffect::Passes => {}
            FilterEffect::Unknown(why, kind) => {
                unknown.get_or_insert((filter, why, kind));
            }
        }
    }
    match unknown {
        Some((filter, why, kind)) => Suppression::Unknown(
            Some(filter),
            format!("suppression rule {}: {why}", filter_label(filter)),
            kind,
        ),
        None => Suppression::Delivered,
    }
}
