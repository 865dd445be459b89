//! All bot state in one sled database: typed records (serde JSON) in named trees,
//! a schema version with a migration hook, and batches written in one transaction.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::fmt;
use std::path::Path;

/// Bump when stored records change shape, and add the step to `migrate`.
pub const SCHEMA_VERSION: u32 = 2;
const SCHEMA_KEY: &[u8] = b"schema_version";

/// The trees Kaveri keeps. The discriminant is the index into `Store::trees`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeId {
    Meta = 0,
    /// Event id -> when it was handled; stops a Matrix event being answered twice.
    Processed,
    /// Actions decided but not yet confirmed delivered, in decision order.
    Outbox,
    /// Metadata-only records of state changes: never message bodies.
    Audit,
    /// Reminder id (big-endian u64) -> `remind::reminder::Reminder`.
    Reminders,
    /// Time-ordered index of reminders: big-endian unix millis + id -> id.
    Due,
    /// Ticket id (`K-2026-0042`) -> `consult::ticket::Ticket`.
    Tickets,
    /// Matrix event id -> what it belongs to (a ticket's thread, the asker's question,
    /// a feedback question).
    Links,
    /// Room and sender -> a consultation waiting for an answer (municipality, or "yes").
    Drafts,
    /// User id, NUL, big-endian reminder id -> (): the reminders a person set or is the
    /// target of, so listing them does not read every reminder (schema 2).
    ReminderOwners,
}

impl TreeId {
    const ALL: [TreeId; 10] = [
        TreeId::Meta,
        TreeId::Processed,
        TreeId::Outbox,
        TreeId::Audit,
        TreeId::Reminders,
        TreeId::Due,
        TreeId::Tickets,
        TreeId::Links,
        TreeId::Drafts,
        TreeId::ReminderOwners,
    ];

    fn name(self) -> &'static str {
        match self {
            TreeId::Meta => "meta",
            TreeId::Processed => "processed",
            TreeId::Outbox => "outbox",
            TreeId::Audit => "audit",
            TreeId::Reminders => "reminders",
            TreeId::Due => "due",
            TreeId::Tickets => "tickets",
            TreeId::Links => "links",
            TreeId::Drafts => "drafts",
            TreeId::ReminderOwners => "reminder_owners",
        }
    }
}

#[derive(Debug)]
pub enum StoreError {
    Sled(sled::Error),
    Encoding(String),
    NewerSchema { found: u32 },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sled(e) => write!(f, "database error: {e}"),
            StoreError::Encoding(e) => write!(f, "stored record could not be read: {e}"),
            StoreError::NewerSchema { found } => write!(
                f,
                "the data directory was written by a newer Kaveri (schema {found}, this one knows {SCHEMA_VERSION}); \
                 upgrade Kaveri or point it at another data directory"
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Sled(e)
    }
}

/// Writes that must land together or not at all.
#[derive(Default, Debug)]
pub struct Batch {
    writes: Vec<(TreeId, Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    pub fn put<V: Serialize>(&mut self, tree: TreeId, key: impl Into<Vec<u8>>, value: &V) {
        let bytes = serde_json::to_vec(value).expect("records serialise to JSON");
        self.writes.push((tree, key.into(), Some(bytes)));
    }

    pub fn remove(&mut self, tree: TreeId, key: impl Into<Vec<u8>>) {
        self.writes.push((tree, key.into(), None));
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    trees: Vec<sled::Tree>,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        // sled caches up to 1 GiB of pages by default and keeps them: with 1,000,000
        // reminders, one scan of the whole Reminders tree left the process at 560 MB. 32 MiB holds the hot pages (the front of the due index,
        // recent records): 165-170 MB after that scan, and firing is no slower
        // (benches/reminders.rs).
        let db = sled::Config::new().path(dir).cache_capacity(32 * 1024 * 1024).open()?;
        Store::from_db(db)
    }

    /// A throw-away store for tests and one-off commands.
    pub fn temporary() -> Result<Store, StoreError> {
        Store::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Store, StoreError> {
        let trees = TreeId::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()?;
        let store = Store { db, trees };
        store.check_schema()?;
        Ok(store)
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        let found: Option<u32> = self.get(TreeId::Meta, SCHEMA_KEY)?;
        match found {
            None => {
                let mut batch = Batch::default();
                batch.put(TreeId::Meta, SCHEMA_KEY, &SCHEMA_VERSION);
                self.commit(batch)
            }
            Some(v) if v > SCHEMA_VERSION => Err(StoreError::NewerSchema { found: v }),
            Some(v) if v < SCHEMA_VERSION => self.migrate(v),
            Some(_) => Ok(()),
        }
    }

    /// Runs each migration step from `from` up to the current schema, then records it.
    fn migrate(&self, from: u32) -> Result<(), StoreError> {
        tracing::info!(from, to = SCHEMA_VERSION, "migrating stored state");
        // Each step brings the data from the schema before it; they run in order.
        let mut batch = Batch::default();
        if from < 2 {
            for (_, reminder) in self.scan::<crate::remind::reminder::Reminder>(TreeId::Reminders)? {
                for key in reminder.owner_keys() {
                    batch.put(TreeId::ReminderOwners, key, &());
                }
            }
        }
        batch.put(TreeId::Meta, SCHEMA_KEY, &SCHEMA_VERSION);
        self.commit(batch)
    }

    fn tree(&self, id: TreeId) -> &sled::Tree {
        &self.trees[id as usize]
    }

    pub fn get<V: DeserializeOwned>(&self, tree: TreeId, key: &[u8]) -> Result<Option<V>, StoreError> {
        match self.tree(tree).get(key)? {
            None => Ok(None),
            Some(bytes) => decode(&bytes).map(Some),
        }
    }

    pub fn contains(&self, tree: TreeId, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.tree(tree).contains_key(key)?)
    }

    /// All records of a tree in key order.
    pub fn scan<V: DeserializeOwned>(&self, tree: TreeId) -> Result<Vec<(Vec<u8>, V)>, StoreError> {
        self.tree(tree)
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), decode(&v)?))
            })
            .collect()
    }

    /// The record with the smallest key, if the tree has any.
    pub fn first<V: DeserializeOwned>(&self, tree: TreeId) -> Result<Option<(Vec<u8>, V)>, StoreError> {
        match self.tree(tree).first()? {
            None => Ok(None),
            Some((k, v)) => Ok(Some((k.to_vec(), decode(&v)?))),
        }
    }

    /// Up to `limit` records with keys below `end`, in key order.
    pub fn scan_below<V: DeserializeOwned>(
        &self,
        tree: TreeId,
        end: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, V)>, StoreError> {
        self.tree(tree)
            .range(..end)
            .take(limit)
            .map(|item| {
                let (k, v) = item?;
                Ok((k.to_vec(), decode(&v)?))
            })
            .collect()
    }

    /// The keys of a tree that start with `prefix`, in order.
    pub fn keys_with_prefix(&self, tree: TreeId, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.tree(tree).scan_prefix(prefix).keys().map(|k| Ok(k?.to_vec())).collect()
    }

    /// A one-way switch kept in the meta tree (e.g. "first start done").
    pub fn flag(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.get::<bool>(TreeId::Meta, name.as_bytes())?.unwrap_or(false))
    }

    pub fn set_flag(&self, name: &str) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        batch.put(TreeId::Meta, name, &true);
        self.commit(batch)?;
        self.flush()
    }

    /// A fresh id, increasing across restarts.
    pub fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }

    /// Applies every write of the batch atomically.
    pub fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let result: Result<(), TransactionError<()>> = self.trees.as_slice().transaction(|trees| {
            for (tree, key, value) in &batch.writes {
                let tx = &trees[*tree as usize];
                match value {
                    Some(v) => tx.insert(key.as_slice(), v.as_slice())?,
                    None => tx.remove(key.as_slice())?,
                };
            }
            Ok::<_, ConflictableTransactionError<()>>(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
            Err(TransactionError::Abort(())) => unreachable!("the batch never aborts"),
        }
    }

    /// Writes everything to disk; called on clean shutdown and after important commits.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

fn decode<V: DeserializeOwned>(bytes: &[u8]) -> Result<V, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Encoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_lands_whole_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let mut batch = Batch::default();
            batch.put(TreeId::Processed, "$a", &1u32);
            batch.put(TreeId::Audit, "x", &"meta");
            batch.remove(TreeId::Outbox, "nothing");
            store.commit(batch).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.get::<u32>(TreeId::Processed, b"$a").unwrap(), Some(1));
        assert_eq!(store.get::<String>(TreeId::Audit, b"x").unwrap().as_deref(), Some("meta"));
    }

    #[test]
    fn newer_schema_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let mut batch = Batch::default();
            batch.put(TreeId::Meta, SCHEMA_KEY, &(SCHEMA_VERSION + 1));
            store.commit(batch).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(dir.path()).err().expect("must refuse");
        assert!(err.to_string().contains("newer Kaveri"), "{err}");
    }

    #[test]
    fn older_schema_is_migrated_to_current() {
        use crate::remind::reminder::{owner_prefix, Reminder, Target};
        let dir = tempfile::tempdir().unwrap();
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let reminder = Reminder {
            id: 7,
            creator: "@anna:example.org".into(),
            target: Target::User("@bob:example.org".into()),
            room: "!r:example.org".into(),
            thread_root: None,
            text: "soita".into(),
            lang: crate::lang::Lang::Fi,
            created_at: at,
            due: at,
            recurrence: None,
        };
        {
            // A schema-1 store: reminders without the owners index.
            let store = Store::open(dir.path()).unwrap();
            let mut batch = Batch::default();
            batch.put(TreeId::Meta, SCHEMA_KEY, &1u32);
            batch.put(TreeId::Reminders, reminder.key(), &reminder);
            store.commit(batch).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.get::<u32>(TreeId::Meta, SCHEMA_KEY).unwrap(), Some(SCHEMA_VERSION));
        for user in ["@anna:example.org", "@bob:example.org"] {
            let keys = store.keys_with_prefix(TreeId::ReminderOwners, &owner_prefix(user)).unwrap();
            assert_eq!(keys, vec![[owner_prefix(user), 7u64.to_be_bytes().to_vec()].concat()], "{user}");
        }
    }
}
