//! Checks of single values: account ids, regions, OU ids, topic ARNs, rule ids,
//! severities, stack roles and dates. Each returns the normalised value or a message.

use chrono::NaiveDate;
use toml_edit::Value;

use super::schema::{Check, did_you_mean};
use crate::catalog::RuleId;
use crate::inventory::StackRole;
use crate::severity::Severity;

/// Check one string against `check`, returning it normalised.
pub(super) fn string(check: Check, s: &str) -> Result<String, String> {
    match check {
        Check::Text => text(s),
        Check::Account => account(s),
        Check::Region => region(s),
        Check::OrgUnit => org_unit(s),
        Check::TopicArn => topic_arn(s),
        Check::RuleId => rule_id(s),
    }
}

/// What `check` expects, for type errors.
pub(super) fn expected(check: Check) -> &'static str {
    match check {
        Check::Text | Check::TopicArn | Check::OrgUnit | Check::RuleId => "a string",
        Check::Account => "a quoted 12-digit account id",
        Check::Region => "a region name string",
    }
}

fn text(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".to_string())
    } else {
        Ok(s.to_string())
    }
}

fn account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not an account id (12 digits)"))
    }
}

/// Every region alertpath knows, across the partitions (commercial, GovCloud,
/// China, the ISO partitions and the European Sovereign Cloud). A name not
/// here is refused with the closest known one suggested: a typo would
/// otherwise scan nothing (`account:ListRegions` never lists it).
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// A region name alertpath knows ([`KNOWN_REGIONS`]); anything else is refused
/// with a suggestion. The one check for regions from config and command line.
pub fn region(s: &str) -> Result<String, String> {
    if KNOWN_REGIONS.contains(&s) {
        return Ok(s.to_string());
    }
    let hint = did_you_mean(s, KNOWN_REGIONS.iter().copied());
    if is_region_shaped(s) {
        Err(format!("`{s}` is not a known AWS region{hint}"))
    } else {
        Err(format!(
            "`{s}` is not a region name (like `eu-west-1`){hint}"
        ))
    }
}

/// `xx-name-N`, with optional extra name parts (`us-gov-west-1`, `us-isob-east-1`).
fn is_region_shaped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    parts.len() >= 3
        && (2..=4).contains(&parts[0].len())
        && lower(parts[0])
        && parts[1..parts.len() - 1].iter().all(|p| lower(p))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn org_unit(s: &str) -> Result<String, String> {
    let alnum = |p: &str| {
        p.len() >= 4
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let ok = match s.split('-').collect::<Vec<_>>().as_slice() {
        ["ou", root, ou] => alnum(root) && alnum(ou),
        ["r", root] => alnum(root),
        _ => false,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an organizational unit or root id (like `ou-ab12-cd34ef56` or `r-ab12`)"
        ))
    }
}

/// `arn:<partition>:sns:<region>:<account>:<name>`.
fn topic_arn(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "sns"
        && is_region_shaped(parts[3])
        && account(parts[4]).is_ok()
        && !parts[5].is_empty();
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
        ))
    }
}

/// A registry rule id, in its canonical spelling; an unknown one is refused
/// with the closest id suggested.
pub fn rule_id(s: &str) -> Result<String, String> {
    s.parse::<RuleId>().map(|id| id.to_string()).map_err(|_| {
        let ids = RuleId::ALL.iter().map(|id| id.as_str());
        format!("unknown rule id `{s}`{}", did_you_mean(s, ids))
    })
}

/// A severity name.
pub(super) fn severity(s: &str) -> Result<Severity, String> {
    s.parse().map_err(|e: crate::severity::UnknownSeverity| {
        let names = Severity::ALL.map(Severity::as_str);
        format!("{e}{}", did_you_mean(s, names))
    })
}

/// A stack role name (kebab-case).
pub(super) fn stack_role(s: &str) -> Result<StackRole, String> {
    const ROLES: [(&str, StackRole); 4] = [
        ("guardduty-admin", StackRole::GuarddutyAdmin),
        ("management", StackRole::Management),
        ("member", StackRole::Member),
        ("securityhub-admin", StackRole::SecurityhubAdmin),
    ];
    ROLES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, r)| *r)
        .ok_or_else(|| {
            format!(
                "unknown stack role `{s}` (expected guardduty-admin, management, member or securityhub-admin){}",
                did_you_mean(s, ROLES.map(|(n, _)| n))
            )
        })
}

/// A GuardDuty severity score, integer or float, in `0.0..=10.0`.
pub(super) fn score(value: &Value) -> Result<f64, String> {
    let n = match value {
        Value::Float(f) => *f.value(),
        // Integers in range are exact as f64.
        Value::Integer(i) => *i.value() as f64,
        other => return Err(format!("expected a number, found {}", type_name(other))),
    };
    if (0.0..=10.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is out of range (0.0 to 10.0)"))
    }
}

/// A limit: a whole number from 1 to 1,000,000.
pub(super) fn count(value: &Value) -> Result<usize, String> {
    let Value::Integer(i) = value else {
        return Err(format!(
            "expected a whole number, found {}",
            type_name(value)
        ));
    };
    let n = *i.value();
    match usize::try_from(n) {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("{n} is out of range (1 to 1000000)")),
    }
}

/// A date: a TOML local date (`2027-01-31`) or a `"YYYY-MM-DD"` string.
pub(super) fn date(value: &Value) -> Result<NaiveDate, String> {
    match value {
        Value::Datetime(dt) => {
            let dt = dt.value();
            match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    ymd(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                }
                _ => Err(format!("`{dt}` is not a date (YYYY-MM-DD, no time)")),
            }
        }
        Value::String(s) => date_str(s.value()),
        other => Err(format!(
            "expected a date (YYYY-MM-DD), found {}",
            type_name(other)
        )),
    }
}

fn date_str(s: &str) -> Result<NaiveDate, String> {
    let shaped = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if shaped => Ok(d),
        _ => Err(format!("`{s}` is not a date (YYYY-MM-DD)")),
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a valid date"))
}

/// A value's TOML type, for messages.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for ok in [
            "eu-west-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "us-isob-east-1",
        ] {
            assert!(region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "euwest1",
            "eu-west",
            "EU-WEST-1",
            "eu-west-x",
            "e-west-1",
            "eu--1",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
        assert_eq!(
            region("useast1").unwrap_err(),
            "`useast1` is not a region name (like `eu-west-1`); did you mean `us-east-1`?"
        );
        assert_eq!(
            region("us-east-9").unwrap_err(),
            "`us-east-9` is not a known AWS region; did you mean `us-east-1`?"
        );
    }

    #[test]
    fn accounts_and_ous() {
        assert!(account("012345678901").is_ok());
        assert!(account("12345678901").is_err());
        assert!(account("01234567890a").is_err());
        assert!(org_unit("ou-ab12-cd34ef56").is_ok());
        assert!(org_unit("r-ab12").is_ok());
        assert!(org_unit("ou-ab12").is_err());
    }

    #[test]
    fn dates() {
        assert!(date_str("2027-01-31").is_ok());
        assert!(date_str("2027-1-31").is_err());
        assert!(date_str("2027-02-30").is_err());
    }

    #[test]
    fn topic_arns() {
        assert!(topic_arn("arn:aws:sns:eu-west-1:012345678901:alerts").is_ok());
        assert!(topic_arn("arn:aws:sqs:eu-west-1:012345678901:alerts").is_err());
        assert!(topic_arn("alerts").is_err());
    }
}
