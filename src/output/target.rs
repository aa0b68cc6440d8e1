//! What an output path is, decided once before any work, and how it is written.
//!
//! One owner for "how may alertpath write to this path": [`resolve`].
//! - A regular file, or a path that does not exist yet, is written to a
//!   temporary file beside the *resolved* target and renamed over it, so a
//!   symlink keeps pointing at its (updated) target and a failed write never
//!   leaves a partial file.
//! - A stream (a pipe or FIFO, a character device such as a terminal or
//!   `/dev/null`, or an open descriptor named as `/dev/stdout`, `/dev/fd/N`,
//!   `/proc/self/fd/N`, as process substitution gives) is opened and written
//!   directly: never created, renamed over or removed. A descriptor that is
//!   this process's standard output is [`Target::Stdout`].
//! - A directory, socket or block device is refused.
//!
//! Files are created with mode `0666` minus the umask, as `>` in a shell does.

use std::io::Write as _;
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

/// How many symlinks [`resolve`] follows before giving up (as the kernel's `ELOOP`).
const MAX_SYMLINKS: usize = 40;

/// How one output path is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// This process's standard output.
    Stdout,
    /// A pipe, FIFO, character device or open descriptor: written directly.
    Stream {
        /// The path as given.
        path: PathBuf,
    },
    /// A regular file, or a new one: written atomically beside `resolved`.
    File {
        /// The path as given (for messages).
        requested: PathBuf,
        /// The path after following every symlink; the file that is replaced.
        resolved: PathBuf,
    },
}

/// What a path is on disk, for "is this the same file" questions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Identity {
    /// An existing file system object.
    Inode {
        /// Device.
        dev: u64,
        /// Inode.
        ino: u64,
    },
    /// A path that does not exist yet (absolute; parent canonical when it exists).
    NewPath(PathBuf),
}

impl Target {
    /// The path as given, for messages.
    pub(crate) fn display_path(&self) -> String {
        match self {
            Target::Stdout => "-".to_string(),
            Target::Stream { path } => path.display().to_string(),
            Target::File { requested, .. } => requested.display().to_string(),
        }
    }

    /// What this target is on disk; `None` for standard output.
    pub(crate) fn identity(&self) -> Option<Identity> {
        match self {
            Target::Stdout => None,
            Target::Stream { path } => identity_of(path),
            Target::File { resolved, .. } => identity_of(resolved),
        }
    }

    /// Where a new regular file would be written (its absolute path), `None` for streams.
    pub(crate) fn file_path(&self) -> Option<PathBuf> {
        match self {
            Target::File { resolved, .. } => Some(absolute_with_canonical_parent(resolved)),
            _ => None,
        }
    }

    /// Write `contents` to this target ([`Target::stage`] then [`Staged::commit`]).
    pub(crate) fn write(&self, contents: &[u8]) -> anyhow::Result<()> {
        self.stage(contents)?.commit()
    }

    /// Prepare a write: for a regular file, the contents go to a temporary
    /// file beside the resolved target (dropped, and removed, unless
    /// committed); a stream or stdout is only written by [`Staged::commit`].
    /// Staging every output first means a failure leaves no output written.
    pub(crate) fn stage<'a>(&'a self, contents: &'a [u8]) -> anyhow::Result<Staged<'a>> {
        match self {
            Target::File {
                requested,
                resolved,
            } => {
                let tmp = stage_file(resolved, contents)
                    .with_context(|| format!("{}: cannot write output", requested.display()))?;
                Ok(Staged::File {
                    target: self,
                    tmp,
                    resolved,
                })
            }
            _ => Ok(Staged::Direct {
                target: self,
                contents,
            }),
        }
    }
}

/// An output ready to be committed (see [`Target::stage`]).
#[derive(Debug)]
pub(crate) enum Staged<'a> {
    /// Standard output or a stream: written on commit.
    Direct {
        /// Where.
        target: &'a Target,
        /// What.
        contents: &'a [u8],
    },
    /// A regular file: its contents are in a temporary file beside it.
    File {
        /// Where.
        target: &'a Target,
        /// The temporary file.
        tmp: tempfile::NamedTempFile,
        /// The file it replaces.
        resolved: &'a Path,
    },
}

impl Staged<'_> {
    /// The target.
    pub(crate) fn target(&self) -> &Target {
        match self {
            Staged::Direct { target, .. } | Staged::File { target, .. } => target,
        }
    }

    /// Finish the write: rename the temporary file over the target, or write
    /// the stream.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        match self {
            Staged::File {
                target,
                tmp,
                resolved,
            } => tmp
                .persist(resolved)
                .map(|_| ())
                .map_err(|e| e.error)
                .with_context(|| format!("{}: cannot write output", target.display_path())),
            Staged::Direct { target, contents } => write_direct(target, contents),
        }
    }
}

/// Write a stream or standard output directly (a file, atomically).
fn write_direct(target: &Target, contents: &[u8]) -> anyhow::Result<()> {
    match target {
        Target::Stdout => {
            let mut out = std::io::stdout().lock();
            match out.write_all(contents).and_then(|()| out.flush()) {
                // The reader went away (`alertpath scan … | head`): end quietly.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                written => written.context("cannot write to standard output"),
            }
        }
        Target::Stream { path } => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(contents).and_then(|()| f.flush()))
            .with_context(|| format!("{}: cannot write output", path.display())),
        Target::File {
            requested,
            resolved,
        } => stage_file(resolved, contents)
            .and_then(|tmp| {
                tmp.persist(resolved)
                    .map(|_| ())
                    .map_err(|e| e.error.into())
            })
            .with_context(|| format!("{}: cannot write output", requested.display())),
    }
}

/// What an existing path is (following symlinks); `None` when it does not
/// exist, and for a new path its [`Identity::NewPath`].
pub(crate) fn identity_of(path: &Path) -> Option<Identity> {
    match std::fs::metadata(path) {
        Ok(meta) => Some(Identity::Inode {
            dev: meta.dev(),
            ino: meta.ino(),
        }),
        Err(_) => Some(Identity::NewPath(absolute_with_canonical_parent(path))),
    }
}

/// An existing input's identity; `None` when it cannot be read (the reader reports that).
pub(crate) fn input_identity(path: &Path) -> Option<Identity> {
    std::fs::metadata(path).ok().map(|meta| Identity::Inode {
        dev: meta.dev(),
        ino: meta.ino(),
    })
}

/// The absolute form of `path`, its parent canonicalized when it exists.
pub(crate) fn absolute_with_canonical_parent(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => match std::fs::canonicalize(parent) {
            Ok(parent) => parent.join(name),
            Err(_) => absolute,
        },
        _ => absolute,
    }
}

/// Decide how `path` is written (see the module doc). `Err` is a usage error
/// (exit 2) naming the path.
pub(crate) fn resolve(path: &Path) -> Result<Target, String> {
    let mut current = std::path::absolute(path)
        .map_err(|e| format!("{}: cannot use as output: {e}", path.display()))?;
    for _ in 0..MAX_SYMLINKS {
        if let Some(fd) = descriptor_number(&current) {
            return Ok(if fd == 1 {
                Target::Stdout
            } else {
                Target::Stream {
                    path: path.to_path_buf(),
                }
            });
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target::File {
                    requested: path.to_path_buf(),
                    resolved: current,
                });
            }
            Err(e) => return Err(format!("{}: cannot use as output: {e}", path.display())),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current)
                .map_err(|e| format!("{}: cannot use as output: {e}", path.display()))?;
            current = match current.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_file() {
            return Ok(Target::File {
                requested: path.to_path_buf(),
                resolved: current,
            });
        }
        if kind.is_fifo() || kind.is_char_device() {
            return Ok(Target::Stream {
                path: path.to_path_buf(),
            });
        }
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() {
            "a block device"
        } else {
            "not a regular file, pipe or terminal"
        };
        return Err(format!(
            "{}: cannot write output: it is {what}",
            path.display()
        ));
    }
    Err(format!(
        "{}: cannot use as output: too many levels of symbolic links",
        path.display()
    ))
}

/// The descriptor number when `path` names one of this process's open
/// descriptors: `/dev/stdout` (1), `/dev/stderr` (2), `/dev/stdin` (0),
/// `/dev/fd/N`, `/proc/self/fd/N`, `/proc/thread-self/fd/N`, `/proc/<our pid>/fd/N`.
fn descriptor_number(path: &Path) -> Option<u32> {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let own_pid = std::process::id().to_string();
    match parts.as_slice() {
        ["dev", "stdin"] => Some(0),
        ["dev", "stdout"] => Some(1),
        ["dev", "stderr"] => Some(2),
        ["dev", "fd", n] => n.parse().ok(),
        ["proc", who, "fd", n] if *who == "self" || *who == own_pid => n.parse().ok(),
        ["proc", "thread-self", "fd", n] => n.parse().ok(),
        _ => None,
    }
}

/// Write `contents` to a temporary file beside `path` (mode 0666 minus the
/// umask), to be renamed over it. The parent directory is created when absent.
fn stage_file(path: &Path, contents: &[u8]) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".alertpath-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(&dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_paths_are_recognised() {
        assert_eq!(descriptor_number(Path::new("/dev/stdout")), Some(1));
        assert_eq!(descriptor_number(Path::new("/proc/self/fd/1")), Some(1));
        assert_eq!(descriptor_number(Path::new("/dev/fd/63")), Some(63));
        let own = format!("/proc/{}/fd/2", std::process::id());
        assert_eq!(descriptor_number(Path::new(&own)), Some(2));
        assert_eq!(descriptor_number(Path::new("/proc/1/fd/1")), None);
        assert_eq!(descriptor_number(Path::new("/tmp/dev/stdout")), None);
    }

    #[test]
    fn symlink_is_resolved_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let target = resolve(&link).unwrap();
        target.write(b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(resolve(dir.path()).unwrap_err().contains("a directory"));
    }
}
