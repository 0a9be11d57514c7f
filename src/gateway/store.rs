//! The data folder on disk: one advisory lock, atomic writes, nothing half-written.
//!
//! Higress watches each resource folder and re-reads any `*.yaml` that is created or
//! written, ignores other names, and drops a resource whose file is renamed away. So a
//! write goes to a temp file whose name does not end in `.yaml`, is fsynced, and is
//! renamed over the target; the live file is never moved aside. Writes and removals are
//! methods of the [`LockGuard`] of this very store, so no code path can change the
//! folder without holding its lock.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The lock file at the root of the data folder. Not a `.yaml`, not in a watched folder.
/// Its holder may leave a note in it (see `verified`); nothing else reads its bytes.
pub const LOCK_FILE: &str = ".higress-claw.lock";
/// The record of a multi-file edit while it is written (see `journal`).
pub const JOURNAL_FILE: &str = ".higress-claw.journal";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}; check that the data folder is writable by this user")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot lock the data folder {path}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the data folder {path} is a file, not a folder; pass a folder with --data-dir")]
    NotAFolder { path: PathBuf },
    #[error(
        "the data folder {path} is a symbolic link to {target}, which does not exist; create {target} or pass another folder with --data-dir"
    )]
    DanglingLink { path: PathBuf, target: PathBuf },
}

/// Holding this means holding the folder's lock; dropping it releases the lock. The
/// only way to change the folder's files.
#[derive(Debug)]
pub struct LockGuard<'a> {
    store: &'a Store,
    file: File,
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.path(relative).exists()
    }

    /// Creates the folder if needed and takes the exclusive lock, calling `on_wait` once
    /// if another process holds it (so the user sees why nothing happens).
    pub fn lock(&self, on_wait: impl FnOnce(&Path)) -> Result<LockGuard<'_>, StoreError> {
        if self.root.exists() && !self.root.is_dir() {
            return Err(StoreError::NotAFolder {
                path: self.root.clone(),
            });
        }
        if !self.root.exists()
            && let Ok(target) = fs::read_link(&self.root)
        {
            return Err(StoreError::DanglingLink {
                path: self.root.clone(),
                target,
            });
        }
        fs::create_dir_all(&self.root).map_err(|source| StoreError::Write {
            path: self.root.clone(),
            source,
        })?;
        let path = self.path(LOCK_FILE);
        let file = lock_file(&path, on_wait).map_err(|source| StoreError::Lock {
            path: path.clone(),
            source,
        })?;
        self.sweep_temp_files();
        Ok(LockGuard { store: self, file })
    }

    /// The note in the lock file, read without the lock: the last holder may be
    /// rewriting it, so it can be stale or cut, and `None` when it cannot be read (on
    /// Windows while another process holds the lock).
    pub fn lock_note(&self) -> Option<String> {
        fs::read_to_string(self.path(LOCK_FILE)).ok()
    }

    /// Temp files are only written under the lock, so any found by the new holder were
    /// left by a writer that died (`kill -9`, power loss) and can go.
    fn sweep_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        let mut folders = vec![self.root.clone()];
        folders.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        for folder in folders {
            let Ok(files) = fs::read_dir(&folder) else {
                continue;
            };
            for file in files.flatten() {
                if is_temp_name(&file.file_name().to_string_lossy()) {
                    let _ = fs::remove_file(file.path());
                }
            }
        }
    }

    pub fn read(&self, relative: &str) -> Result<Option<String>, StoreError> {
        if self.root.is_file() {
            return Err(StoreError::NotAFolder {
                path: self.root.clone(),
            });
        }
        let path = self.path(relative);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Read { path, source }),
        }
    }
}

impl LockGuard<'_> {
    pub fn store(&self) -> &Store {
        self.store
    }

    /// The note the last holder left in the lock file, read through the lock held
    /// (Windows refuses other handles to a locked file).
    pub fn note(&self) -> Option<String> {
        let mut file = &self.file;
        let mut note = String::new();
        file.seek(SeekFrom::Start(0)).ok()?;
        file.read_to_string(&mut note).ok()?;
        Some(note)
    }

    /// Replaces the note in the lock file. Best effort, not synced: what a note says is
    /// only worth the time it saves (see `verified`), so a lost or cut note costs a
    /// check and nothing else.
    pub fn set_note(&self, note: &str) {
        let mut file = &self.file;
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(note.as_bytes()));
    }

    /// Writes `contents` to `relative` atomically; returns false (and writes nothing)
    /// when the file already holds exactly these bytes.
    pub fn write(&self, relative: &str, contents: &str) -> Result<bool, StoreError> {
        let store = self.store;
        let target = store.path(relative);
        if fs::read(&target).is_ok_and(|old| old == contents.as_bytes()) {
            return Ok(false);
        }
        let folder = target.parent().unwrap_or(&store.root).to_path_buf();
        let wrap = |source| StoreError::Write {
            path: target.clone(),
            source,
        };
        if !folder.is_dir() {
            fs::create_dir_all(&folder).map_err(wrap)?;
            // The new folder's own entry must be durable too, not only the file in it.
            sync_folder(folder.parent().unwrap_or(&store.root));
        }
        write_atomic(&target, contents.as_bytes(), mode_for(relative, &target)).map_err(wrap)?;
        Ok(true)
    }

    /// Removes `relative`; false when it was not there.
    pub fn remove(&self, relative: &str) -> Result<bool, StoreError> {
        let target = self.store.path(relative);
        match fs::remove_file(&target) {
            Ok(()) => {
                if let Some(folder) = target.parent() {
                    sync_folder(folder);
                }
                Ok(true)
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(StoreError::Write {
                path: target,
                source,
            }),
        }
    }
}

/// Opens (creating) `path` and takes its exclusive lock, calling `on_wait` once if
/// another process holds it, then blocking until it is released. Dropping the file
/// releases the lock, also when the process dies.
pub fn lock_file(path: &Path, on_wait: impl FnOnce(&Path)) -> std::io::Result<File> {
    // Readable too: the data folder's lock file holds its holder's note (`verified`).
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            on_wait(path);
            file.lock()?;
        }
        Err(fs::TryLockError::Error(err)) => return Err(err),
    }
    Ok(file)
}

/// Writes `contents` to `target` so that readers see the old file or the new one, never
/// a part: a temp file in the same folder named `.<name>.<random>.tmp-<pid>` (never
/// `*.yaml`, so a watcher does not load it half-written), fsynced, given `mode`, renamed
/// over `target`, and the rename made durable.
pub fn write_atomic(target: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(&format!(".tmp-{}", std::process::id()))
        .tempfile_in(folder)?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    set_mode(temp.as_file(), mode);
    temp.persist(target).map_err(|e| e.error)?;
    sync_folder(folder);
    Ok(())
}

/// Whether `name` is one of our temp files: `.<target>.<random>.tmp-<pid>`.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(".tmp-")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Files that hold API keys: only their owner may read them (the container's processes
/// run as root, which reads them all the same).
const SECRET_FILES: [&str; 2] = [crate::gateway::paths::AI_PROXY, JOURNAL_FILE];

/// The mode for `relative`'s temp file: the mode of the file being replaced (someone
/// chose it, and the container may run as another user), else 0600 for a file with keys
/// and 0644 for the rest.
pub fn mode_for(relative: &str, target: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(target) {
            return meta.permissions().mode() & 0o777;
        }
    }
    #[cfg(not(unix))]
    let _ = target;
    if SECRET_FILES.contains(&relative) {
        0o600
    } else {
        0o644
    }
}

fn set_mode(file: &File, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (file, mode);
}

fn sync_folder(folder: &Path) {
    // Makes the rename itself durable; best effort where folders cannot be opened.
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_is_atomic_and_skips_identical_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let guard = store.lock(|_| {}).unwrap();
        assert!(guard.write("wasmplugins/a.yaml", "x: 1\n").unwrap());
        assert!(!guard.write("wasmplugins/a.yaml", "x: 1\n").unwrap());
        assert!(guard.write("wasmplugins/a.yaml", "x: 2\n").unwrap());
        let names: Vec<_> = fs::read_dir(dir.path().join("wasmplugins"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["a.yaml"], "no temp file left behind");
        assert_eq!(store.read("wasmplugins/a.yaml").unwrap().unwrap(), "x: 2\n");
    }

    #[test]
    fn stale_temp_files_are_swept_anywhere_but_dotfiles_stay() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("wasmplugins")).unwrap();
        let stale = [
            ".default.cfg.Ab12Cd.tmp-4242",
            "wasmplugins/.ai-proxy.internal.yaml.xYz.tmp-7",
        ];
        let kept = [".profile", ".notes.tmp-draft", "wasmplugins/.keep"];
        for name in stale.iter().chain(&kept) {
            fs::write(root.join(name), "").unwrap();
        }
        drop(Store::new(root).lock(|_| {}).unwrap());
        for name in stale {
            assert!(!root.join(name).exists(), "{name} was not swept");
        }
        for name in kept {
            assert!(root.join(name).exists(), "{name} was swept");
        }
    }

    #[test]
    fn a_file_as_data_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "").unwrap();
        let err = Store::new(&file).lock(|_| {}).unwrap_err();
        assert!(err.to_string().contains("is a file"), "{err}");
    }
}
