//! Labels shared by the writers: how a subject, a scope and a walked path read.

use crate::outcome::{Hop, Subject};

/// The scope of a subject: `organization`, `account 1111`, `1111 / us-east-1`.
pub fn scope_label(subject: &Subject) -> String {
    match (&subject.account, &subject.region) {
        (Some(account), Some(region)) => format!("{account} / {region}"),
        (Some(account), None) => account.clone(),
        (None, Some(region)) => format!("organization / {region}"),
        (None, None) => "organization".to_string(),
    }
}

/// What a subject is, for one line: the resource (`sns-topic gd-pager`), else its scope.
pub fn subject_label(subject: &Subject) -> String {
    match &subject.resource {
        Some(resource) => format!("{} {}", resource.kind, resource.name),
        None => scope_label(subject),
    }
}

/// The short kind of a hop: `event-rule` → `rule`, `sns-topic` → `topic`.
pub fn short_kind(kind: &str) -> &str {
    kind.rsplit('-').next().unwrap_or(kind)
}

/// A walked path as one chain:
/// `rule guardduty-finding-events → topic gd-pager → ✗ no confirmed subscription (SUB004)`.
pub fn hop_chain(path: &[Hop]) -> String {
    let mut parts = Vec::new();
    for hop in path {
        parts.push(format!("{} {}", short_kind(&hop.kind), hop.name));
        if !hop.ok {
            parts.push(format!(
                "✗ {}",
                hop.problem.as_deref().unwrap_or("broken link")
            ));
        }
    }
    parts.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Origin;

    fn hop(kind: &str, name: &str, problem: Option<&str>) -> Hop {
        Hop {
            kind: kind.to_string(),
            name: name.to_string(),
            origin: Origin::default(),
            ok: problem.is_none(),
            problem: problem.map(str::to_string),
        }
    }

    #[test]
    fn chain_names_each_hop_and_the_break() {
        let path = [
            hop("event-rule", "gd-events", None),
            hop(
                "sns-topic",
                "gd-pager",
                Some("no confirmed subscription (SUB004)"),
            ),
        ];
        assert_eq!(
            hop_chain(&path),
            "rule gd-events → topic gd-pager → ✗ no confirmed subscription (SUB004)"
        );
    }

    #[test]
    fn scope_of_global_subject_is_the_organization() {
        assert_eq!(scope_label(&Subject::global()), "organization");
        assert_eq!(scope_label(&Subject::region("1", "r")), "1 / r");
    }
}
