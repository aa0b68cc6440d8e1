//! Generates `RuleId` from the rule docs: every `rules/<family>/<ID>.md` is one
//! rule, so adding a rule's doc is what declares its id. The generated enum
//! lists the ids in catalog order (family order below, then by number), with
//! each id's family and embedded doc.

use std::fmt::Write as _;
use std::path::Path;

/// Families in catalog order: directory name and `Family` variant.
const FAMILIES: &[(&str, &str)] = &[
    ("gd", "Gd"),
    ("org", "Org"),
    ("evt", "Evt"),
    ("route", "Route"),
    ("sh", "Sh"),
    ("sns", "Sns"),
    ("sub", "Sub"),
    ("alm", "Alm"),
    ("root", "Root"),
    ("sec", "Sec"),
    ("scan", "Scan"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::var("CARGO_MANIFEST_DIR")?;
    let rules = Path::new(&root).join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut ids: Vec<(String, &str, String)> = Vec::new();
    for (dir, family) in FAMILIES {
        let family_dir = rules.join(dir);
        println!("cargo:rerun-if-changed={}", family_dir.display());
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&family_dir)? {
            let path = entry?.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".md"))
            else {
                continue;
            };
            let number = id.strip_prefix(&dir.to_uppercase()).unwrap_or("");
            if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(
                    format!("{}: not a rule doc name <FAMILY><NNN>.md", path.display()).into(),
                );
            }
            found.push((id.to_string(), *family, path.display().to_string()));
        }
        found.sort();
        ids.extend(found);
    }

    let mut out = String::new();
    out.push_str("/// A rule's stable id, e.g. `GD001`: one per `rules/<family>/<ID>.md`.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]\n");
    out.push_str("pub enum RuleId {\n");
    for (id, _, _) in &ids {
        writeln!(out, "    /// See `rules/…/{id}.md`.\n    {id},")?;
    }
    out.push_str("}\n\nimpl RuleId {\n");
    out.push_str(
        "    /// Every id, in catalog order.\n    pub const ALL: &'static [RuleId] = &[\n",
    );
    for (id, _, _) in &ids {
        writeln!(out, "        RuleId::{id},")?;
    }
    out.push_str("    ];\n\n");
    out.push_str("    /// The id as written, e.g. `GD001`.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for (id, _, _) in &ids {
        writeln!(out, "            RuleId::{id} => \"{id}\",")?;
    }
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The family the id belongs to.\n    pub const fn family(self) -> Family {\n        match self {\n");
    for (id, family, _) in &ids {
        writeln!(out, "            RuleId::{id} => Family::{family},")?;
    }
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The rule's Markdown doc, embedded.\n    pub const fn doc(self) -> &'static str {\n        match self {\n");
    for (id, _, path) in &ids {
        writeln!(out, "            RuleId::{id} => include_str!({path:?}),")?;
    }
    out.push_str("        }\n    }\n}\n");

    let dest = Path::new(&std::env::var("OUT_DIR")?).join("rule_ids.rs");
    std::fs::write(dest, out)?;
    commit();
    Ok(())
}

/// `ALERTPATH_COMMIT` for `--version`: the environment's (a release build
/// sets it), else `git rev-parse` of the source tree when it is a checkout;
/// rebuilt when HEAD or its branch moves. Absent outside a checkout.
fn commit() {
    println!("cargo:rerun-if-env-changed=ALERTPATH_COMMIT");
    if let Ok(commit) = std::env::var("ALERTPATH_COMMIT") {
        println!("cargo:rustc-env=ALERTPATH_COMMIT={commit}");
        return;
    }
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    for watched in [
        Some("HEAD".to_string()),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(path) = git(&["rev-parse", "--git-path", &watched]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    if let Some(packed) = git(&["rev-parse", "--git-path", "packed-refs"]) {
        println!("cargo:rerun-if-changed={packed}");
    }
    println!("cargo:rustc-env=ALERTPATH_COMMIT={commit}");
}
