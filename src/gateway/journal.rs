//! All or nothing across files: an edit that changes several files first records all
//! of them in one journal file, then writes them in order, then drops the journal.
//!
//! Each file is written atomically on its own, but a process killed between two of
//! them (`kill -9`, a closed laptop) would leave a provider half-made: a registry with
//! no entry, an entry with no route. The journal (`.higress-claw.journal`, one atomic
//! write, so it exists whole or not at all) is the commit point: once it exists the
//! edit is decided, and the next holder of the folder's lock finishes it from the
//! journal before doing anything else. A journal that is not there means nothing of
//! the edit was written yet. The order of the files inside it is the commit order, so
//! a finish that is itself interrupted leaves the same safe states.

use serde::{Deserialize, Serialize};

use super::store::{JOURNAL_FILE, LockGuard, Store, StoreError, write_atomic};

/// One file of an edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Change {
    Write { path: String, text: String },
    Remove { path: String },
}

impl Change {
    /// Whether applying this change would alter the folder.
    fn would_alter(&self, store: &Store) -> bool {
        match self {
            Change::Write { path, text } => {
                std::fs::read(store.path(path)).map_or(true, |old| old != text.as_bytes())
            }
            Change::Remove { path } => store.path(path).exists(),
        }
    }

    pub fn path(&self) -> &str {
        match self {
            Change::Write { path, .. } | Change::Remove { path } => path,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Journal {
    changes: Vec<Change>,
}

/// Applies `changes` in order, skipping those that change nothing; returns the paths
/// that changed. More than one real change goes through the journal.
pub fn apply(guard: &LockGuard<'_>, changes: Vec<Change>) -> Result<Vec<String>, StoreError> {
    let effective: Vec<Change> = changes
        .into_iter()
        .filter(|c| c.would_alter(guard.store()))
        .collect();
    if effective.len() > 1 {
        record(guard, &effective)?;
    }
    let changed = replay(guard, &effective)?;
    if effective.len() > 1 {
        guard.remove(JOURNAL_FILE)?;
    }
    Ok(changed)
}

/// Finishes an edit a dead process left in the journal; returns the files it wrote.
pub fn recover(guard: &LockGuard<'_>) -> Result<Vec<String>, StoreError> {
    let Some(journal) = pending(guard)? else {
        return Ok(Vec::new());
    };
    let changed = replay(guard, &journal)?;
    guard.remove(JOURNAL_FILE)?;
    Ok(changed)
}

/// The changes of an edit that was decided but may not have been written whole.
pub fn pending(guard: &LockGuard<'_>) -> Result<Option<Vec<Change>>, StoreError> {
    read(guard.store())
}

/// The same, read without the lock (for `doctor`, which changes nothing).
pub fn read(store: &super::store::Store) -> Result<Option<Vec<Change>>, StoreError> {
    let Some(text) = store.read(JOURNAL_FILE)? else {
        return Ok(None);
    };
    // A journal that does not parse was not written by us whole: the atomic write
    // makes that impossible, so it is someone else's file and is left alone.
    Ok(serde_json::from_str::<Journal>(&text)
        .ok()
        .map(|j| j.changes))
}

fn record(guard: &LockGuard<'_>, changes: &[Change]) -> Result<(), StoreError> {
    let text = serde_json::to_string(&Journal {
        changes: changes.to_vec(),
    })
    .expect("journal entries serialize");
    let path = guard.store().path(JOURNAL_FILE);
    // Owner-only: the journal may hold the ai-proxy file and its keys.
    write_atomic(&path, text.as_bytes(), 0o600).map_err(|source| StoreError::Write { path, source })
}

fn replay(guard: &LockGuard<'_>, changes: &[Change]) -> Result<Vec<String>, StoreError> {
    let mut changed = Vec::new();
    for change in changes {
        let did = match change {
            Change::Write { path, text } => guard.write(path, text)?,
            Change::Remove { path } => guard.remove(path)?,
        };
        if did {
            changed.push(change.path().to_string());
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::store::Store;

    fn write(path: &str, text: &str) -> Change {
        Change::Write {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_recorded_edit_is_finished_by_the_next_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let guard = store.lock(|_| {}).unwrap();
        guard.write("a.yaml", "old-a").unwrap();
        // A process recorded two writes and a removal, wrote the first, and died.
        let changes = vec![
            write("a.yaml", "new-a"),
            write("sub/b.yaml", "new-b"),
            Change::Remove {
                path: "gone.yaml".into(),
            },
        ];
        guard.write("gone.yaml", "x").unwrap();
        record(&guard, &changes).unwrap();
        guard.write("a.yaml", "new-a").unwrap();
        drop(guard);
        let guard = store.lock(|_| {}).unwrap();
        assert_eq!(recover(&guard).unwrap(), vec!["sub/b.yaml", "gone.yaml"]);
        assert_eq!(store.read("sub/b.yaml").unwrap().unwrap(), "new-b");
        assert!(!store.exists("gone.yaml"));
        assert!(!store.exists(JOURNAL_FILE), "the journal is dropped");
        assert!(recover(&guard).unwrap().is_empty());
    }

    #[test]
    fn single_changes_and_no_ops_skip_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let guard = store.lock(|_| {}).unwrap();
        guard.write("a.yaml", "same").unwrap();
        let changed = apply(
            &guard,
            vec![write("a.yaml", "same"), write("b.yaml", "new")],
        )
        .unwrap();
        assert_eq!(changed, vec!["b.yaml"]);
        assert!(!store.exists(JOURNAL_FILE));
    }
}
