//! What a JSON input file is, so that a file given to the wrong flag is
//! rejected with a message naming what it is and which flag takes it. One
//! owner: the plan and snapshot readers both ask [`detect`].

use serde_json::Value;

/// The kinds of JSON file a user may hand alertpath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `terraform show -json <planfile>`: a plan (`--plan`).
    Plan,
    /// `terraform show -json` without a plan file: the current state.
    State,
    /// `terraform providers schema -json`.
    ProviderSchemas,
    /// An alertpath JSON report (`--format json`).
    Report,
    /// A SARIF log (`--format sarif`, or `--baseline`).
    Sarif,
    /// An inventory snapshot (`alertpath collect`; `--snapshot`).
    Snapshot,
    /// JSON alertpath does not recognise.
    Unknown,
}

impl InputKind {
    /// What the file is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Plan => "a Terraform plan (`terraform show -json PLANFILE`)",
            InputKind::State => {
                "Terraform state (`terraform show -json` without a plan file), not a plan"
            }
            InputKind::ProviderSchemas => "`terraform providers schema -json` output",
            InputKind::Report => "an alertpath JSON report",
            InputKind::Sarif => "a SARIF log",
            InputKind::Snapshot => "an alertpath inventory snapshot (`alertpath collect`)",
            InputKind::Unknown => "JSON that alertpath does not recognise",
        }
    }

    /// Which flag takes this kind of file, for messages.
    pub fn remedy(self) -> &'static str {
        match self {
            InputKind::Plan => "pass it with --plan",
            InputKind::Snapshot => "pass it with --snapshot",
            InputKind::State | InputKind::ProviderSchemas => {
                "run `terraform plan -out=tfplan && terraform show -json tfplan > plan.json` and pass plan.json with --plan, or pass the Terraform directory with --terraform"
            }
            InputKind::Report => {
                "a report is an output: give the input it was made from (--snapshot, --plan or --terraform)"
            }
            InputKind::Sarif => "SARIF is read only by --baseline",
            InputKind::Unknown => {
                "--plan takes `terraform show -json PLANFILE` output and --snapshot takes `alertpath collect` output"
            }
        }
    }
}

/// What a parsed JSON document is. A plan needs at least one of
/// `planned_values` (object), `resource_changes` (array) or `configuration`
/// (object), each of its type when present; the other kinds are told apart
/// by the keys only they carry.
pub fn detect(value: &Value) -> InputKind {
    let Some(top) = value.as_object() else {
        return InputKind::Unknown;
    };
    let has = |key: &str| top.contains_key(key);
    if has("report_version") && has("findings") {
        return InputKind::Report;
    }
    if has("runs") && top.get("version").and_then(Value::as_str) == Some("2.1.0") {
        return InputKind::Sarif;
    }
    if has("provider_schemas") {
        return InputKind::ProviderSchemas;
    }
    if top.get("format_version").is_some_and(Value::is_number) && has("source") {
        return InputKind::Snapshot;
    }
    let plan_parts = [
        ("planned_values", Value::is_object as fn(&Value) -> bool),
        ("resource_changes", Value::is_array),
        ("configuration", Value::is_object),
    ];
    let present: Vec<bool> = plan_parts
        .iter()
        .filter_map(|(key, typed)| top.get(*key).map(typed))
        .collect();
    if !present.is_empty() && present.iter().all(|ok| *ok) {
        return InputKind::Plan;
    }
    if present.is_empty() && has("format_version") && (has("values") || has("terraform_version")) {
        return InputKind::State;
    }
    InputKind::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_told_apart() {
        let cases = [
            (
                json!({"format_version": "1.2", "planned_values": {}}),
                InputKind::Plan,
            ),
            (
                json!({"format_version": "1.0", "terraform_version": "1.9.0", "values": {}}),
                InputKind::State,
            ),
            (
                json!({"format_version": "1.0", "terraform_version": "1.9.0"}),
                InputKind::State,
            ),
            (
                json!({"format_version": "1.0", "provider_schemas": {}}),
                InputKind::ProviderSchemas,
            ),
            (
                json!({"report_version": 1, "findings": []}),
                InputKind::Report,
            ),
            (json!({"version": "2.1.0", "runs": []}), InputKind::Sarif),
            (
                json!({"format_version": 1, "source": {}}),
                InputKind::Snapshot,
            ),
            (json!({"format_version": "1.0"}), InputKind::Unknown),
            (
                json!({"format_version": "1.0", "planned_values": []}),
                InputKind::Unknown,
            ),
            (json!(null), InputKind::Unknown),
        ];
        for (value, want) in cases {
            assert_eq!(detect(&value), want, "{value}");
        }
    }
}
