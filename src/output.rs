//! Writing outputs: which format goes where, written atomically.
//!
//! Design: `--format F --output P` pairs by position (the n-th `--output` is the
//! n-th `--format`'s file; `-` is stdout). A `--format` without a matching
//! `--output` goes to stdout; at most one format may. `--output-dir DIR` writes
//! every requested format (all four when none is given) as `DIR/alertpath.<ext>`.
//! How each path is written (atomically beside a regular file's resolved
//! target, directly to a stream, or refused) is decided by [`target::resolve`]
//! before any work; so are two outputs that are one file and an output that is
//! an input ([`plan_targets`]). The CLI renders every output before writing any.

use std::path::{Path, PathBuf};

use crate::report::Format;

pub(crate) mod target;

pub(crate) use target::Target;

/// Where one format goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// Standard output.
    Stdout,
    /// A file.
    File(PathBuf),
}

/// A usage error in `--format`/`--output`/`--output-dir`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct PlanError(pub String);

/// Pair formats with destinations.
pub(crate) fn plan(
    formats: &[Format],
    outputs: &[PathBuf],
    output_dir: Option<&Path>,
) -> Result<Vec<(Format, Destination)>, PlanError> {
    if let Some(dir) = output_dir {
        if !outputs.is_empty() {
            return Err(PlanError(
                "--output and --output-dir cannot be combined; use one".to_string(),
            ));
        }
        let formats = if formats.is_empty() {
            vec![Format::Text, Format::Json, Format::Sarif, Format::Markdown]
        } else {
            formats.to_vec()
        };
        return Ok(formats
            .into_iter()
            .map(|f| (f, Destination::File(dir.join(f.default_file_name()))))
            .collect());
    }
    if outputs.len() > formats.len() {
        return Err(PlanError(format!(
            "{} --output given for {} --format; give a --format before each --output",
            outputs.len(),
            formats.len()
        )));
    }
    if formats.is_empty() {
        return Ok(vec![(Format::Text, Destination::Stdout)]);
    }
    let planned: Vec<(Format, Destination)> = formats
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let dest = match outputs.get(i) {
                Some(p) if p.as_os_str() != "-" => Destination::File(p.clone()),
                _ => Destination::Stdout,
            };
            (*f, dest)
        })
        .collect();
    if planned
        .iter()
        .filter(|(_, d)| *d == Destination::Stdout)
        .count()
        > 1
    {
        return Err(PlanError(
            "more than one --format would go to stdout; give each an --output".to_string(),
        ));
    }
    Ok(planned)
}

/// The files a run reads, which no output may replace.
#[derive(Debug, Default, Clone)]
pub(crate) struct Inputs {
    /// Input files by the flag that named them (`--snapshot`, `--config`, …).
    pub files: Vec<(&'static str, PathBuf)>,
    /// `--terraform DIR`: no output may replace a `.tf` or `.tfvars` file under it.
    pub terraform_dir: Option<PathBuf>,
    /// `--evidence DIR`: no output may be that directory or inside it.
    pub evidence_dir: Option<PathBuf>,
}

/// Terraform file name endings the HCL reader reads.
const TERRAFORM_ENDINGS: &[&str] = &[".tf", ".tf.json", ".tfvars", ".tfvars.json"];

/// Pair formats with destinations, then decide how each is written
/// ([`target::resolve`]) and refuse, before any work: directories and other
/// special files, two outputs that are one file, more than one output on
/// standard output, and an output that is one of the run's inputs.
pub(crate) fn plan_targets(
    formats: &[Format],
    outputs: &[PathBuf],
    output_dir: Option<&Path>,
    inputs: &Inputs,
) -> Result<Vec<(Format, Target)>, PlanError> {
    let planned = plan(formats, outputs, output_dir)?;
    let mut targets = Vec::with_capacity(planned.len());
    for (format, destination) in planned {
        let target = match destination {
            Destination::Stdout => Target::Stdout,
            Destination::File(path) => target::resolve(&path).map_err(PlanError)?,
        };
        targets.push((format, target));
    }
    if targets.iter().filter(|(_, t)| *t == Target::Stdout).count() > 1 {
        return Err(PlanError(
            "more than one --format would go to stdout; give each an --output".to_string(),
        ));
    }
    let only: Vec<&Target> = targets.iter().map(|(_, t)| t).collect();
    check_distinct(&only)?;
    for target in &only {
        check_not_input(target, inputs)?;
    }
    Ok(targets)
}

/// Refuse two targets that are one file (or one stream).
pub(crate) fn check_distinct(targets: &[&Target]) -> Result<(), PlanError> {
    for (i, a) in targets.iter().enumerate() {
        let Some(id) = a.identity() else { continue };
        for b in &targets[i + 1..] {
            if b.identity().as_ref() == Some(&id) {
                return Err(PlanError(format!(
                    "--output {} and --output {} are the same file; give each output its own path",
                    a.display_path(),
                    b.display_path()
                )));
            }
        }
    }
    Ok(())
}

/// Refuse an output that would replace one of the run's inputs.
pub(crate) fn check_not_input(target: &Target, inputs: &Inputs) -> Result<(), PlanError> {
    let Some(id) = target.identity() else {
        return Ok(());
    };
    for (flag, path) in &inputs.files {
        if target::input_identity(path).as_ref() == Some(&id) {
            return Err(PlanError(format!(
                "{}: is the {flag} input; an output may not replace an input",
                target.display_path()
            )));
        }
    }
    let Some(file) = target.file_path() else {
        return Ok(());
    };
    if let Some(dir) = &inputs.terraform_dir {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        let name = file.to_string_lossy();
        if file.starts_with(&dir) && TERRAFORM_ENDINGS.iter().any(|e| name.ends_with(e)) {
            return Err(PlanError(format!(
                "{}: is a Terraform file under the --terraform input {}; an output may not replace an input",
                target.display_path(),
                dir.display()
            )));
        }
    }
    if let Some(dir) = &inputs.evidence_dir {
        let dir = target::absolute_with_canonical_parent(dir);
        if file.starts_with(&dir) {
            return Err(PlanError(format!(
                "{}: is inside the --evidence directory {}; write outputs elsewhere",
                target.display_path(),
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Write `contents` to `path` the way [`target::resolve`] decides (atomically
/// for a regular file, directly for a stream); a directory or special file is
/// an error. (Tests use it to check [`target`] end to end.)
#[cfg(test)]
pub(crate) fn write_atomic(path: &Path, contents: &str) -> anyhow::Result<()> {
    let target = target::resolve(path).map_err(|e| anyhow::anyhow!(e))?;
    target.write(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_by_position() {
        let plan = plan(
            &[Format::Sarif, Format::Json],
            &[PathBuf::from("a.sarif"), PathBuf::from("a.json")],
            None,
        )
        .unwrap();
        assert_eq!(
            plan[0],
            (Format::Sarif, Destination::File("a.sarif".into()))
        );
        assert_eq!(plan[1], (Format::Json, Destination::File("a.json".into())));
    }

    #[test]
    fn default_is_text_on_stdout() {
        assert_eq!(
            plan(&[], &[], None).unwrap(),
            vec![(Format::Text, Destination::Stdout)]
        );
    }

    #[test]
    fn rejects_two_stdout_formats_and_orphan_outputs() {
        assert!(plan(&[Format::Sarif, Format::Json], &[], None).is_err());
        assert!(plan(&[], &[PathBuf::from("x")], None).is_err());
        assert!(plan(&[], &[PathBuf::from("x")], Some(Path::new("d"))).is_err());
    }

    #[test]
    fn output_dir_writes_all_formats() {
        let plan = plan(&[], &[], Some(Path::new("out"))).unwrap();
        assert_eq!(plan.len(), 4);
        assert!(plan.contains(&(
            Format::Sarif,
            Destination::File("out/alertpath.sarif".into())
        )));
    }

    #[test]
    fn atomic_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.json");
        write_atomic(&target, "{}").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
        let bad = dir.path().join("r.json").join("child");
        assert!(write_atomic(&bad, "{}").is_err());
    }
}
