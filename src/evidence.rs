//! The audit evidence pack: `alertpath scan --evidence DIR` and
//! `alertpath verify-evidence DIR`.
//!
//! A pack is a directory holding the JSON report ([`REPORT`]), the SARIF
//! ([`SARIF`]), the Markdown ([`MARKDOWN`]), the inventory snapshot that was
//! judged ([`INVENTORY`]) and a [`Manifest`] ([`MANIFEST`]) with the tool
//! version, the rule-catalog hash, the effective config and waivers, the
//! command line (secrets redacted), the start and end time, the caller
//! identity and the SHA-256 of every other file.
//!
//! Verification checks every hash (a missing, extra or altered file fails),
//! then re-runs the rules on the pack's inventory with the manifest's config
//! and "today" frozen at the scan's start date, so a waiver that has expired
//! since does not change the verdict, and compares the outcomes
//! (rule, account, region, resource, status) with the pack's JSON report.
//!
//! Hashes beside the files only catch accidents: anyone who alters a file can
//! rewrite the manifest. Attest the pack (the GitHub Action does, with
//! `actions/attest-build-provenance`) to make tampering detectable.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::engine::{self, EngineOptions};
use crate::inventory::{Caller, Inventory, SourceKind};
use crate::output::write_atomic;
use crate::report::{self, Format, RenderOptions, Report};
use crate::rules::REGISTRY;
use crate::source::snapshot;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The JSON report's file name in a pack.
pub const REPORT: &str = "report.json";
/// The SARIF file name in a pack.
pub const SARIF: &str = "report.sarif";
/// The Markdown file name in a pack.
pub const MARKDOWN: &str = "report.md";
/// The inventory snapshot's file name in a pack.
pub const INVENTORY: &str = "inventory.json";
/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;
/// What replaces a secret on the recorded command line and in the config.
pub const REDACTED: &str = crate::endpoints::REDACTED;

/// `verify-evidence` exit codes (part of the interface).
pub mod exit {
    /// Every hash matches and the re-run gives the same outcomes.
    pub const VERIFIED: u8 = 0;
    /// A file is missing, extra or altered, or the outcomes differ.
    pub const MISMATCH: u8 = 1;
    /// The pack cannot be read (no manifest, unreadable or invalid input).
    pub const UNREADABLE: u8 = 2;
}

/// `manifest.json`: what was run, how, by whom, and the hash of every file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// Always `alertpath`.
    pub tool: String,
    /// The alertpath version that made the pack.
    pub tool_version: String,
    /// [`rule_catalog_hash`] of the binary that made the pack.
    pub rule_catalog_sha256: String,
    /// The input kind.
    pub source: SourceKind,
    /// Who collected the inventory (live input).
    pub caller: Option<Caller>,
    /// The command line, secrets replaced by [`REDACTED`].
    pub command_line: Vec<String>,
    /// When the scan started (RFC 3339, UTC).
    pub started_at: String,
    /// When the scan finished (RFC 3339, UTC).
    pub finished_at: String,
    /// "Today" for waiver expiry: the start date. Verification freezes the clock here.
    pub today: NaiveDate,
    /// Whether `--strict-config` was given.
    pub strict_config: bool,
    /// The effective config, waivers included (the external id redacted).
    pub config: Config,
    /// SHA-256 (hex) of every file in the pack but the manifest, by file name.
    pub files: BTreeMap<String, String>,
}

/// What a pack is made from.
#[derive(Debug)]
pub struct PackInput<'a> {
    /// The judged inventory.
    pub inventory: &'a Inventory,
    /// The snapshot file the inventory was read from, copied byte for byte.
    /// `None`: the inventory is written with [`snapshot::to_json`].
    pub snapshot_file: Option<&'a Path>,
    /// The report.
    pub report: &'a Report,
    /// The effective config.
    pub config: &'a Config,
    /// Options used for the SARIF (category, baseline).
    pub render: &'a RenderOptions,
    /// The raw command line (redacted here).
    pub args: &'a [String],
    /// When the scan started.
    pub started_at: DateTime<Utc>,
    /// When the scan finished.
    pub finished_at: DateTime<Utc>,
    /// The engine options the report was made with.
    pub engine: &'a EngineOptions,
}

/// SHA-256 over every rule's id, severity and embedded doc, in registry order.
pub fn rule_catalog_hash() -> String {
    let mut hasher = Sha256::new();
    for rule in REGISTRY.iter() {
        for part in [
            rule.meta.id.as_str(),
            rule.meta.severity.as_str(),
            rule.meta.doc,
        ] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 (hex) of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Flags whose value is always a secret.
const SECRET_FLAGS: &[&str] = &["--external-id", "--var"];
/// Words that make a flag's value a secret.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "password",
    "webhook",
    "api-key",
    "apikey",
    "access-key",
];

fn is_secret_flag(flag: &str) -> bool {
    let lower = flag.to_ascii_lowercase();
    SECRET_FLAGS.contains(&lower.as_str()) || SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether a value looks like a key, token or webhook whatever flag it follows.
fn looks_secret(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let access_key = value.len() >= 20
        && ["AKIA", "ASIA"].iter().any(|p| value.starts_with(p))
        && value[..20]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let secret_key = value.len() == 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && value.chars().any(|c| c.is_ascii_lowercase())
        && value.chars().any(|c| c.is_ascii_uppercase())
        && value.chars().any(|c| c.is_ascii_digit());
    access_key
        || secret_key
        || lower.contains(crate::endpoints::secrets::SLACK_WEBHOOK_HOST)
        || lower.contains("webhook")
        || lower.contains("token=")
        || lower.contains("secret=")
        || lower.contains("password=")
        || lower.starts_with("ghp_")
        || lower.starts_with("github_pat_")
        || lower.starts_with("xox")
}

/// The command line with secrets replaced by [`REDACTED`]: the values of
/// `--external-id`, `--var` and flags named like secrets (in both `--flag value`
/// and `--flag=value` forms), and any argument that looks like a key, a token
/// or a webhook URL.
pub fn redact_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut redact_next = false;
    for arg in args {
        if redact_next {
            out.push(REDACTED.to_string());
            redact_next = false;
            continue;
        }
        if arg.starts_with("--") {
            if let Some((flag, _)) = arg.split_once('=') {
                if is_secret_flag(flag) || looks_secret(arg) {
                    out.push(format!("{flag}={REDACTED}"));
                } else {
                    out.push(arg.clone());
                }
                continue;
            }
            redact_next = is_secret_flag(arg);
            out.push(arg.clone());
            continue;
        }
        if looks_secret(arg) {
            out.push(REDACTED.to_string());
        } else {
            out.push(arg.clone());
        }
    }
    out
}

fn redacted_config(config: &Config) -> Config {
    let mut config = config.clone();
    if config.scope.external_id.is_some() {
        config.scope.external_id = Some(REDACTED.to_string());
    }
    config
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Check that `dir` can take a new pack: absent, or an empty directory.
pub fn check_target(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: cannot use as --evidence: {e}", dir.display())),
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(format!(
                    "{}: --evidence needs a new or empty directory",
                    dir.display()
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// Write a pack into `dir` (created when absent). The manifest is written
/// last, so a pack without one is incomplete. Returns the manifest.
pub fn write(dir: &Path, input: &PackInput<'_>) -> anyhow::Result<Manifest> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create evidence directory", dir.display()))?;
    let inventory = match input.snapshot_file {
        Some(path) => std::fs::read(path)
            .with_context(|| format!("{}: cannot copy snapshot", path.display()))?,
        None => snapshot::to_json(input.inventory)?.into_bytes(),
    };
    let sarif_options = RenderOptions {
        color: false,
        ..input.render.clone()
    };
    let texts = [
        (
            REPORT,
            report::render(input.report, Format::Json, &sarif_options)?,
        ),
        (
            SARIF,
            report::render(input.report, Format::Sarif, &sarif_options)?,
        ),
        (
            MARKDOWN,
            report::render(input.report, Format::Markdown, &sarif_options)?,
        ),
    ];
    let mut files = BTreeMap::new();
    for (name, text) in &texts {
        write_atomic(&dir.join(name), text)?;
        files.insert((*name).to_string(), sha256_hex(text.as_bytes()));
    }
    let path = dir.join(INVENTORY);
    std::fs::write(&path, &inventory)
        .with_context(|| format!("{}: cannot write evidence", path.display()))?;
    files.insert(INVENTORY.to_string(), sha256_hex(&inventory));
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: "alertpath".to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        rule_catalog_sha256: rule_catalog_hash(),
        source: input.inventory.source.kind,
        caller: input.inventory.source.caller.clone(),
        command_line: redact_args(input.args),
        started_at: rfc3339(input.started_at),
        finished_at: rfc3339(input.finished_at),
        today: input.engine.today,
        strict_config: input.engine.strict_config,
        config: redacted_config(input.config),
        files,
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    write_atomic(&dir.join(MANIFEST), &text)?;
    Ok(manifest)
}

/// The identity of one outcome for comparison: rule, account, region, resource, status.
pub type OutcomeKey = (String, String, String, String, String);

fn keys(report: &Report) -> BTreeMap<OutcomeKey, usize> {
    let mut map = BTreeMap::new();
    for finding in &report.findings {
        let subject = &finding.outcome.subject;
        let key = (
            finding.outcome.rule.to_string(),
            subject.account.clone().unwrap_or_else(|| "-".to_string()),
            subject.region.clone().unwrap_or_else(|| "-".to_string()),
            subject
                .resource
                .as_ref()
                .map_or_else(|| "-".to_string(), |r| format!("{}/{}", r.kind, r.name)),
            finding.status().label().to_string(),
        );
        *map.entry(key).or_insert(0) += 1;
    }
    map
}

/// The result of verifying a pack.
#[derive(Debug, Default)]
pub struct Verification {
    /// Hash problems: missing, extra or altered files, each naming the file.
    pub file_problems: Vec<String>,
    /// Outcomes that differ: `+` only in the re-run, `-` only in the pack's report.
    pub outcome_differences: Vec<String>,
    /// Outcomes compared.
    pub outcomes_compared: usize,
    /// Notes that do not change the verdict (e.g. another tool version).
    pub notes: Vec<String>,
}

impl Verification {
    /// Whether everything matched.
    pub fn passed(&self) -> bool {
        self.file_problems.is_empty() && self.outcome_differences.is_empty()
    }

    /// The exit code: [`exit::VERIFIED`] or [`exit::MISMATCH`].
    pub fn exit_code(&self) -> u8 {
        if self.passed() {
            exit::VERIFIED
        } else {
            exit::MISMATCH
        }
    }

    /// A readable verdict.
    pub fn render(&self, dir: &Path) -> String {
        let mut out = String::new();
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for problem in &self.file_problems {
            let _ = writeln!(out, "FILE {problem}");
        }
        for diff in &self.outcome_differences {
            let _ = writeln!(out, "OUTCOME {diff}");
        }
        if self.passed() {
            let _ = writeln!(
                out,
                "VERIFIED: {}: every file matches its hash and the re-run reproduces all {} outcomes",
                dir.display(),
                self.outcomes_compared
            );
        } else {
            let _ = writeln!(
                out,
                "NOT VERIFIED: {}: {} file problem(s), {} outcome difference(s)",
                dir.display(),
                self.file_problems.len(),
                self.outcome_differences.len()
            );
        }
        out
    }
}

/// An error that makes a pack unreadable (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

/// Read the manifest of a pack.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Unreadable> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Unreadable(format!("{}: cannot read manifest: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Unreadable(format!(
            "{}:{}:{}: invalid manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

fn check_files(dir: &Path, manifest: &Manifest) -> Result<Vec<String>, Unreadable> {
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Unreadable(format!("{}: cannot read pack: {e}", dir.display())))?;
    let mut present: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Unreadable(format!("{}: cannot read pack: {e}", dir.display())))?;
        present.push(entry.path());
    }
    present.sort();
    for path in &present {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name != MANIFEST && !manifest.files.contains_key(&name) {
            problems.push(format!("{name}: extra file, not in the manifest"));
        }
    }
    for (name, want) in &manifest.files {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!("{name}: missing"));
            }
            Err(e) => problems.push(format!("{name}: cannot read: {e}")),
            Ok(bytes) => {
                let have = sha256_hex(&bytes);
                if &have != want {
                    problems.push(format!(
                        "{name}: altered (sha256 {have}, manifest says {want})"
                    ));
                }
            }
        }
    }
    Ok(problems)
}

/// Verify a pack: hashes, then a re-run with the clock frozen at the scan's start.
/// `Err` means the pack is unreadable (exit 2).
pub fn verify(dir: &Path) -> Result<Verification, Unreadable> {
    let manifest = read_manifest(dir)?;
    if manifest.manifest_version != MANIFEST_VERSION {
        return Err(Unreadable(format!(
            "{}: manifest_version {} is not supported (this alertpath reads version {MANIFEST_VERSION})",
            dir.join(MANIFEST).display(),
            manifest.manifest_version
        )));
    }
    let mut verification = Verification {
        file_problems: check_files(dir, &manifest)?,
        ..Verification::default()
    };
    if manifest.tool_version != env!("CARGO_PKG_VERSION") {
        verification.notes.push(format!(
            "the pack was made by alertpath {}; this is {}",
            manifest.tool_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    if manifest.rule_catalog_sha256 != rule_catalog_hash() {
        verification.notes.push(
            "the rule catalog differs from the one that made the pack; outcomes may differ for that reason"
                .to_string(),
        );
    }
    for name in [REPORT, INVENTORY] {
        if !manifest.files.contains_key(name) {
            verification
                .file_problems
                .push(format!("{name}: not listed in the manifest"));
        }
    }
    // An altered file is already a failure; re-run only what can still be read.
    let inventory = match snapshot::read(&dir.join(INVENTORY)) {
        Ok(inventory) => inventory,
        Err(e) if !verification.file_problems.is_empty() => {
            verification.notes.push(format!("cannot re-run: {e}"));
            return Ok(verification);
        }
        Err(e) => return Err(Unreadable(e.to_string())),
    };
    let report_path = dir.join(REPORT);
    let recorded: Report = match std::fs::read_to_string(&report_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(report) => report,
        Err(e) if !verification.file_problems.is_empty() => {
            verification
                .notes
                .push(format!("{}: cannot read: {e}", report_path.display()));
            return Ok(verification);
        }
        Err(e) => {
            return Err(Unreadable(format!(
                "{}: cannot read report: {e}",
                report_path.display()
            )));
        }
    };
    let options = EngineOptions {
        today: manifest.today,
        strict_config: manifest.strict_config,
    };
    let rerun = engine::run(&inventory, &manifest.config, &options)
        .map_err(|e| Unreadable(format!("re-run failed: {e}")))?;
    let want = keys(&recorded);
    let have = keys(&rerun);
    verification.outcomes_compared = want.values().sum();
    for (key, count) in &want {
        let rerun_count = have.get(key).copied().unwrap_or(0);
        if rerun_count < *count {
            verification
                .outcome_differences
                .push(format!("- only in the pack's report: {}", describe(key)));
        }
    }
    for (key, count) in &have {
        let pack_count = want.get(key).copied().unwrap_or(0);
        if pack_count < *count {
            verification
                .outcome_differences
                .push(format!("+ only in the re-run: {}", describe(key)));
        }
    }
    Ok(verification)
}

fn describe(key: &OutcomeKey) -> String {
    let (rule, account, region, resource, status) = key;
    format!("{rule} account={account} region={region} resource={resource} status={status}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn redacts_secret_flags_in_both_forms() {
        let got = redact_args(&args(&[
            "alertpath",
            "scan",
            "--external-id",
            "abc123",
            "--var=db_password=hunter2",
            "--var",
            "token=x",
            "--regions",
            "eu-west-1",
            "--slack-webhook-url=https://example.com/x",
        ]));
        assert_eq!(
            got,
            args(&[
                "alertpath",
                "scan",
                "--external-id",
                REDACTED,
                "--var=<redacted>",
                "--var",
                REDACTED,
                "--regions",
                "eu-west-1",
                "--slack-webhook-url=<redacted>",
            ])
        );
    }

    #[test]
    fn redacts_values_that_look_like_keys_or_webhooks() {
        let got = redact_args(&args(&[
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "https://hooks.slack.com/services/T0/B0/XX",
            "--endpoint-url=https://hooks.slack.com/services/T0",
            "--snapshot",
            "org.json",
        ]));
        assert_eq!(
            got,
            args(&[
                REDACTED,
                REDACTED,
                REDACTED,
                "--endpoint-url=<redacted>",
                "--snapshot",
                "org.json",
            ])
        );
    }

    #[test]
    fn external_id_in_config_is_redacted() {
        let mut config = Config::default();
        config.scope.external_id = Some("s3cr3t".to_string());
        assert_eq!(
            redacted_config(&config).scope.external_id.as_deref(),
            Some(REDACTED)
        );
    }

    #[test]
    fn catalog_hash_is_stable_hex() {
        let hash = rule_catalog_hash();
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, rule_catalog_hash());
    }
}
