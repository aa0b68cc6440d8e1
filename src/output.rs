//! Writing outputs: which format goes where, written atomically.
//!
//! Design: `--format F --output P` pairs by position (the n-th `--output` is the
//! n-th `--format`'s file; `-` is stdout). A `--format` without a matching
//! `--output` goes to stdout; at most one format may. `--output-dir DIR` writes
//! every requested format (all four when none is given) as `DIR/alertpath.<ext>`.
//! Files are written to a temporary file beside the target and renamed, so a
//! failed run never leaves a partial file that looks complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::report::Format;

/// Where one format goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A file.
    File(PathBuf),
}

/// A usage error in `--format`/`--output`/`--output-dir`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// Pair formats with destinations.
pub fn plan(
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

/// Write `contents` to `path` atomically (temp file in the same directory, then rename).
pub fn write_atomic(path: &Path, contents: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| {
            format!(
                "{}: cannot write output: cannot create directory {}",
                path.display(),
                dir.display()
            )
        })?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("{}: cannot write output", path.display()))?;
    tmp.write_all(contents.as_bytes())
        .with_context(|| format!("{}: cannot write output", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write output", path.display()))?;
    Ok(())
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
