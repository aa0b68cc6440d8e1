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
//! Verification reads only regular files directly inside the pack (no `..`,
//! no absolute names, no symlinks, FIFOs or devices; every read size-capped
//! and non-blocking), checks that the manifest lists exactly the pack's files
//! and every hash, then re-runs the rules on the pack's inventory with the
//! manifest's config and "today" frozen at the scan's start date (so a waiver
//! that has expired since does not change the verdict). The re-run's report,
//! with `started_at`, `finished_at`, `stats` and `tool_version` taken from the
//! recorded report, is the *verified report*: every other field (each
//! finding's status, severity, message, subject and evidence, the summary, the
//! coverage, the rules) must equal `report.json`'s, and `report.json`,
//! `report.sarif` and `report.md` must be byte for byte its renderings (SARIF
//! with the recorded `--sarif-category` and `--baseline`, which the pack keeps).
//!
//! Hashes beside the files only catch accidents: anyone who alters a file can
//! rewrite the manifest. Attest the pack (the GitHub Action does, with
//! `actions/attest-build-provenance`) to make tampering detectable.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::engine::{self, EngineOptions};
use crate::inventory::{Caller, Inventory, SourceKind};
use crate::report::{self, Finding, Format, RenderOptions, Report};
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
/// The `--baseline` SARIF's file name in a pack (when one was used).
pub const BASELINE: &str = "baseline.sarif";
/// The manifest format version (2: the SARIF's render inputs are recorded).
pub const MANIFEST_VERSION: u32 = 2;
/// The largest pack file `verify-evidence` reads (bytes).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
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
    /// The command line's shape: subcommands and flag names, every value
    /// written `<value>` (the inputs and the config are recorded on their own).
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
    /// `--sarif-category`, if given (the SARIF depends on it).
    #[serde(default)]
    pub sarif_category: Option<String>,
    /// The pack file holding the `--baseline` SARIF ([`BASELINE`]), if one was used.
    #[serde(default)]
    pub baseline: Option<String>,
    /// SHA-256 (hex) of every file in the pack but the manifest, by file name.
    pub files: BTreeMap<String, String>,
}

/// What a pack is made from.
#[derive(Debug)]
pub struct PackInput<'a> {
    /// The judged inventory.
    pub inventory: &'a Inventory,
    /// The report.
    pub report: &'a Report,
    /// The effective config.
    pub config: &'a Config,
    /// Options used for the SARIF (category, baseline).
    pub render: &'a RenderOptions,
    /// The command line's shape (values already removed by the CLI).
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

/// A rendered pack: every file's bytes and the manifest, not yet written.
#[derive(Debug)]
pub struct Pack {
    files: Vec<(String, Vec<u8>)>,
    manifest: Manifest,
}

impl Pack {
    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Write the pack into `dir` (created when absent; it must hold nothing
    /// this pack writes). Each file is created new (never through an existing
    /// file or symlink) with mode 0666 minus the umask; the manifest is written
    /// last, so a pack without one is incomplete. On failure, what was written
    /// is removed again.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let existed = dir.exists();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create evidence directory", dir.display()))?;
        let mut created = Vec::new();
        let result = self.write_files(dir, &mut created);
        if result.is_err() {
            for path in &created {
                let _ = std::fs::remove_file(path);
            }
            if !existed {
                let _ = std::fs::remove_dir(dir);
            }
        }
        result
    }

    fn write_files(&self, dir: &Path, created: &mut Vec<std::path::PathBuf>) -> anyhow::Result<()> {
        let mut manifest = serde_json::to_string_pretty(&self.manifest)?;
        manifest.push('\n');
        let all = self
            .files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .chain([(MANIFEST, manifest.as_bytes())]);
        for (name, bytes) in all {
            let path = dir.join(name);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .with_context(|| format!("{}: cannot write evidence", path.display()))?;
            created.push(path.clone());
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("{}: cannot write evidence", path.display()))?;
        }
        Ok(())
    }
}

/// The SARIF/Markdown render options a pack records: no colour, the category
/// and the baseline.
fn pack_render_options(render: &RenderOptions) -> RenderOptions {
    RenderOptions {
        color: false,
        min_severity: None,
        source_links: None,
        group_by: crate::report::GroupBy::Account,
        ..render.clone()
    }
}

/// Render a pack in memory (nothing is written; see [`Pack::write`]).
pub fn render(input: &PackInput<'_>) -> anyhow::Result<Pack> {
    // The judged inventory as alertpath stores it, never the input file's
    // bytes: an older snapshot's secret-bearing text is reduced on read.
    let inventory = snapshot::to_json(input.inventory)?.into_bytes();
    let options = pack_render_options(input.render);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            REPORT.to_string(),
            report::render(input.report, Format::Json, &options)?.into_bytes(),
        ),
        (
            SARIF.to_string(),
            report::render(input.report, Format::Sarif, &options)?.into_bytes(),
        ),
        (
            MARKDOWN.to_string(),
            report::render(input.report, Format::Markdown, &options)?.into_bytes(),
        ),
        (INVENTORY.to_string(), inventory),
    ];
    let baseline = match &input.render.baseline {
        Some(value) => {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            files.push((BASELINE.to_string(), text.into_bytes()));
            Some(BASELINE.to_string())
        }
        None => None,
    };
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: "alertpath".to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        rule_catalog_sha256: rule_catalog_hash(),
        source: input.inventory.source.kind,
        caller: input.inventory.source.caller.clone(),
        command_line: input.args.to_vec(),
        started_at: rfc3339(input.started_at),
        finished_at: rfc3339(input.finished_at),
        today: input.engine.today,
        strict_config: input.engine.strict_config,
        config: redacted_config(input.config),
        sarif_category: input.render.sarif_category.clone(),
        baseline,
        files: files
            .iter()
            .map(|(name, bytes)| (name.clone(), sha256_hex(bytes)))
            .collect(),
    };
    Ok(Pack { files, manifest })
}

/// Render a pack and write it into `dir` (see [`render`] and [`Pack::write`]).
/// Returns the manifest.
pub fn write(dir: &Path, input: &PackInput<'_>) -> anyhow::Result<Manifest> {
    let pack = render(input)?;
    pack.write(dir)?;
    Ok(pack.manifest)
}

/// The identity of one outcome for comparison: rule, account, region,
/// resource, status and fingerprint.
pub type OutcomeKey = (String, String, String, String, String, String);

fn outcome_key(finding: &Finding) -> OutcomeKey {
    let subject = &finding.outcome.subject;
    (
        finding.outcome.rule.to_string(),
        subject.account.clone().unwrap_or_else(|| "-".to_string()),
        subject.region.clone().unwrap_or_else(|| "-".to_string()),
        subject
            .resource
            .as_ref()
            .map_or_else(|| "-".to_string(), |r| format!("{}/{}", r.kind, r.name)),
        finding.status().label().to_string(),
        finding.fingerprint.clone(),
    )
}

/// The result of verifying a pack.
#[derive(Debug, Default)]
pub struct Verification {
    /// File problems: missing, extra, altered, not a regular file, or not the
    /// rendering of the verified report; each names the file.
    pub file_problems: Vec<String>,
    /// Outcomes or report fields that differ from the re-run: `+` only in the
    /// re-run, `-` only in the pack's report, `~` a field that differs.
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
                "VERIFIED: {}: every file matches its hash, the re-run reproduces all {} outcomes and the report, and the SARIF and Markdown are its renderings",
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

/// Why a pack file could not be read.
#[derive(Debug)]
enum FileError {
    /// It does not exist.
    Missing,
    /// It exists but may not or cannot be read; the reason.
    Refused(String),
}

/// Whether `name` names a file directly inside a directory: one normal path
/// component (no `/`, `.`, `..`, NUL, and not empty).
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0'])
}

/// Read the pack file `name`: a regular file directly inside `dir`, opened
/// without following a symlink and without blocking (a FIFO cannot hang the
/// read), at most [`MAX_FILE_BYTES`] bytes. The one place that opens pack files.
fn read_pack_file(dir: &Path, name: &str) -> Result<Vec<u8>, FileError> {
    if !is_plain_file_name(name) {
        return Err(FileError::Refused(
            "not a file name directly inside the pack".to_string(),
        ));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(dir.join(name));
    let file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileError::Missing),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(FileError::Refused(
                "is a symlink; a pack holds only regular files".to_string(),
            ));
        }
        Err(e) => return Err(FileError::Refused(format!("cannot read: {e}"))),
    };
    let meta = file
        .metadata()
        .map_err(|e| FileError::Refused(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(FileError::Refused(
            "is not a regular file; a pack holds only regular files".to_string(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(FileError::Refused(format!(
            "is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::Refused(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileError::Refused(format!(
            "is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

/// Read the manifest of a pack, and check that it names only files directly
/// inside the pack.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Unreadable> {
    let path = dir.join(MANIFEST);
    let bytes = read_pack_file(dir, MANIFEST).map_err(|e| match e {
        FileError::Missing => {
            Unreadable(format!("{}: cannot read manifest: missing", path.display()))
        }
        FileError::Refused(why) => {
            Unreadable(format!("{}: cannot read manifest: {why}", path.display()))
        }
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        Unreadable(format!(
            "{}:{}:{}: invalid manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let named = manifest
        .files
        .keys()
        .chain(manifest.baseline.iter())
        .find(|name| !is_plain_file_name(name) || name.as_str() == MANIFEST);
    if let Some(name) = named {
        return Err(Unreadable(format!(
            "{}: invalid manifest: it lists {name:?}, which is not a file directly inside the pack",
            path.display()
        )));
    }
    Ok(manifest)
}

/// The files a pack made by `manifest` must hold (the manifest aside).
fn required_files(manifest: &Manifest) -> Vec<&str> {
    let mut names = vec![REPORT, SARIF, MARKDOWN, INVENTORY];
    if let Some(baseline) = &manifest.baseline {
        names.push(baseline.as_str());
    }
    names
}

/// Pack files whose hash matched, by name.
type VerifiedFiles = BTreeMap<String, Vec<u8>>;

/// Check that the pack holds exactly the manifest's files, each a regular
/// file with its hash. Returns the problems and the bytes of the files that
/// matched their hash.
fn check_files(
    dir: &Path,
    manifest: &Manifest,
) -> Result<(Vec<String>, VerifiedFiles), Unreadable> {
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Unreadable(format!("{}: cannot read pack: {e}", dir.display())))?;
    let mut present = BTreeSet::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Unreadable(format!("{}: cannot read pack: {e}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !is_file {
            problems.push(format!(
                "{name}: not a regular file (a symlink, directory, FIFO or device); a pack holds only regular files"
            ));
            continue;
        }
        if name != MANIFEST && !manifest.files.contains_key(&name) {
            problems.push(format!("{name}: extra file, not in the manifest"));
        }
        present.insert(name);
    }
    for name in required_files(manifest) {
        if !manifest.files.contains_key(name) {
            problems.push(format!("{name}: not listed in the manifest"));
        }
    }
    let mut verified = BTreeMap::new();
    for (name, want) in &manifest.files {
        if !present.contains(name) {
            if !problems.iter().any(|p| p.starts_with(&format!("{name}: "))) {
                problems.push(format!("{name}: missing"));
            }
            continue;
        }
        match read_pack_file(dir, name) {
            Err(FileError::Missing) => problems.push(format!("{name}: missing")),
            Err(FileError::Refused(why)) => problems.push(format!("{name}: {why}")),
            Ok(bytes) => {
                let have = sha256_hex(&bytes);
                if &have == want {
                    verified.insert(name.clone(), bytes);
                } else {
                    problems.push(format!(
                        "{name}: altered (sha256 {have}, manifest says {want})"
                    ));
                }
            }
        }
    }
    Ok((problems, verified))
}

/// Verify a pack: its files and hashes, then a re-run with the clock frozen at
/// the scan's start, compared with the recorded report field by field, and the
/// SARIF and Markdown regenerated and compared byte for byte.
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
    let (file_problems, files) = check_files(dir, &manifest)?;
    let mut verification = Verification {
        file_problems,
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
    // Re-run only on files whose hash matched: an altered file is already a failure.
    let parsed = (|| -> Result<(Inventory, Report, Option<serde_json::Value>), String> {
        let inventory = files.get(INVENTORY).ok_or("inventory.json: not verified")?;
        let inventory = std::str::from_utf8(inventory)
            .map_err(|e| format!("{INVENTORY}: {e}"))
            .and_then(|t| snapshot::parse(t, INVENTORY).map_err(|e| e.to_string()))?;
        let recorded = files.get(REPORT).ok_or("report.json: not verified")?;
        let recorded: Report =
            serde_json::from_slice(recorded).map_err(|e| format!("{REPORT}: {e}"))?;
        let baseline = match &manifest.baseline {
            Some(name) => {
                let bytes = files
                    .get(name)
                    .ok_or_else(|| format!("{name}: not verified"))?;
                Some(serde_json::from_slice(bytes).map_err(|e| format!("{name}: {e}"))?)
            }
            None => None,
        };
        Ok((inventory, recorded, baseline))
    })();
    let (inventory, recorded, baseline) = match parsed {
        Ok(parsed) => parsed,
        Err(e) if !verification.file_problems.is_empty() => {
            verification.notes.push(format!("cannot re-run: {e}"));
            return Ok(verification);
        }
        Err(e) => return Err(Unreadable(format!("cannot re-run: {e}"))),
    };
    let options = EngineOptions {
        today: manifest.today,
        strict_config: manifest.strict_config,
    };
    let mut verified = engine::run(&inventory, &manifest.config, &options)
        .map_err(|e| Unreadable(format!("re-run failed: {e}")))?;
    // Recorded, not re-derived: when and with what the scan ran.
    verified.started_at = recorded.started_at.clone();
    verified.finished_at = recorded.finished_at.clone();
    verified.stats = recorded.stats.clone();
    verified.tool_version = recorded.tool_version.clone();
    compare_findings(&recorded, &verified, &mut verification);
    compare_report_fields(&recorded, &verified, &mut verification);
    let render = RenderOptions {
        color: false,
        sarif_category: manifest.sarif_category.clone(),
        baseline,
        min_severity: None,
        source_links: None,
        group_by: crate::report::GroupBy::Account,
    };
    for (name, format) in [
        (REPORT, Format::Json),
        (SARIF, Format::Sarif),
        (MARKDOWN, Format::Markdown),
    ] {
        let Some(bytes) = files.get(name) else {
            continue;
        };
        let regenerated = match report::render(&verified, format, &render) {
            Ok(text) => text,
            Err(e) => {
                verification.file_problems.push(format!(
                    "{name}: cannot be regenerated from the verified report with the recorded options: {e}"
                ));
                continue;
            }
        };
        if regenerated.as_bytes() != bytes.as_slice() {
            verification.file_problems.push(format!(
                "{name}: not the rendering of the verified report (regenerated from the re-run, it differs)"
            ));
        }
    }
    Ok(verification)
}

/// Compare the findings one by one: presence by [`OutcomeKey`], then every
/// field of each finding (severity, message, subject, evidence, waiver, …).
fn compare_findings(recorded: &Report, rerun: &Report, verification: &mut Verification) {
    let want: BTreeMap<OutcomeKey, &Finding> = recorded
        .findings
        .iter()
        .map(|f| (outcome_key(f), f))
        .collect();
    let have: BTreeMap<OutcomeKey, &Finding> =
        rerun.findings.iter().map(|f| (outcome_key(f), f)).collect();
    verification.outcomes_compared = recorded.findings.len();
    if want.len() != recorded.findings.len() {
        verification
            .outcome_differences
            .push("- the pack's report lists one outcome more than once".to_string());
    }
    for (key, finding) in &want {
        match have.get(key) {
            None => verification
                .outcome_differences
                .push(format!("- only in the pack's report: {}", describe(key))),
            Some(rerun) => {
                for field in differing_fields(finding, rerun) {
                    verification
                        .outcome_differences
                        .push(format!("~ {}: {field}", describe(key)));
                }
            }
        }
    }
    for key in have.keys().filter(|k| !want.contains_key(*k)) {
        verification
            .outcome_differences
            .push(format!("+ only in the re-run: {}", describe(key)));
    }
}

/// Compare every report field but the findings (summary, coverage, rules,
/// source, warnings, notes, …) as JSON.
fn compare_report_fields(recorded: &Report, verified: &Report, verification: &mut Verification) {
    for field in differing_fields(recorded, verified) {
        if !field.starts_with("findings:") {
            verification
                .outcome_differences
                .push(format!("~ report {field}"));
        }
    }
}

/// The top-level fields whose JSON differs, as `name: pack …, re-run …`.
fn differing_fields<T: Serialize>(recorded: &T, rerun: &T) -> Vec<String> {
    let as_object = |v: &T| match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (want, have) = (as_object(recorded), as_object(rerun));
    let names: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
    names
        .into_iter()
        .filter(|name| want.get(*name) != have.get(*name))
        .map(|name| {
            format!(
                "{name}: pack says {}, re-run gives {}",
                brief(want.get(name)),
                brief(have.get(name))
            )
        })
        .collect()
}

/// A JSON value, compact and cut to 160 characters.
fn brief(value: Option<&serde_json::Value>) -> String {
    let Some(value) = value else {
        return "nothing".to_string();
    };
    let text = value.to_string();
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

fn describe(key: &OutcomeKey) -> String {
    let (rule, account, region, resource, status, _) = key;
    format!("{rule} account={account} region={region} resource={resource} status={status}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn only_plain_names_are_pack_files() {
        for name in ["report.json", "a..b", ".hidden"] {
            assert!(is_plain_file_name(name), "{name}");
        }
        for name in ["", ".", "..", "../x", "/etc/hostname", "a/b", "a\0b"] {
            assert!(!is_plain_file_name(name), "{name:?}");
        }
    }

    #[test]
    fn catalog_hash_is_stable_hex() {
        let hash = rule_catalog_hash();
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, rule_catalog_hash());
    }
}
