//! All bot state in one sled database: typed records (serde JSON) in named trees,
//! a schema version with a migration hook, and batches written in one transaction.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

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
    /// Time-ordered index of ticket deadlines: big-endian unix millis + ticket id ->
    /// ticket id; one entry per ticket with a deadline to come.
    TicketDue,
}

impl TreeId {
    const ALL: [TreeId; 11] = [
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
        TreeId::TicketDue,
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
            TreeId::TicketDue => "ticket_due",
        }
    }
}

#[derive(Debug)]
pub enum StoreError {
    Sled(sled::Error),
    Encoding(String),
    NewerSchema { found: u32 },
    /// The database could not be reopened (see `Store::reopen`).
    Closed,
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
            StoreError::Closed => write!(f, "the database is closed: reopening it failed"),
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

    /// The value this batch will write under `key`, if its last write there puts one,
    /// so a decision can read what it has already decided. None when it writes nothing
    /// there, or removes the key: the caller then reads the store (only counters and
    /// tickets, which are never removed, are read this way).
    pub fn pending<V: DeserializeOwned>(&self, tree: TreeId, key: &[u8]) -> Option<V> {
        let (_, _, value) = self.writes.iter().rev().find(|(t, k, _)| *t == tree && k == key)?;
        serde_json::from_slice(value.as_ref()?).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// How many writes a store takes before it closes and reopens its database by itself.
/// sled 0.34 records where its pages are (its snapshot) only when it opens a database,
/// and on opening replays everything logged since the last snapshot: without this, a
/// bot that gathered a million reminders since its last restart took 1.4 s to start.
/// Reopening after this many writes keeps that replay short (0.3 s in benches/reminders.rs)
/// and costs a pause that rarely comes (about 0.9 s at a million reminders): a busy
/// network writes a few thousand records a day.
pub const REOPEN_AFTER_WRITES: u64 = 250_000;

/// How long opening waits for the database's file lock. sled's background writer may
/// hold it a moment after the last handle in this process is dropped; another process
/// running on the same directory holds it for good, and is reported after this wait.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// The bot's state. Clones share one database.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Shared>,
}

struct Shared {
    /// `None` for a throw-away store, which is never reopened (sled deletes its files).
    dir: Option<PathBuf>,
    /// `None` only between closing and reopening, or after a reopen failed (the next
    /// access tries again).
    open: RwLock<Option<OpenDb>>,
    reopen_after_writes: u64,
    writes_since_open: AtomicU64,
    reopens: AtomicU64,
    /// Failures tests inject: reads of these trees, and commits when `None` is listed.
    #[cfg(test)]
    failing: std::sync::Mutex<Vec<Option<TreeId>>>,
}

#[derive(Clone, Copy)]
enum Reopen {
    /// Enough writes have gathered since the database was opened.
    IfDue,
    /// An earlier reopen failed and left it closed.
    IfClosed,
}

struct OpenDb {
    db: sled::Db,
    trees: Vec<sled::Tree>,
}

impl OpenDb {
    fn at(dir: &Path) -> Result<OpenDb, StoreError> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            // sled caches up to 1 GiB of pages by default and keeps them: with 1,000,000
            // reminders, one scan of the whole Reminders tree left the process at 560 MB.
            // 32 MiB holds the hot pages (the front of the due index, recent records):
            // 165-170 MB after that scan, and firing is no slower (benches/reminders.rs).
            match sled::Config::new().path(dir).cache_capacity(32 * 1024 * 1024).open() {
                Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") && Instant::now() < deadline => {
                    tracing::debug!(error = %e, "the database is still locked; retrying");
                    std::thread::sleep(Duration::from_millis(20));
                }
                opened => return OpenDb::from_db(opened?),
            }
        }
    }

    fn from_db(db: sled::Db) -> Result<OpenDb, StoreError> {
        let trees = TreeId::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OpenDb { db, trees })
    }

    fn tree(&self, id: TreeId) -> &sled::Tree {
        &self.trees[id as usize]
    }
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_reopening_after(dir, REOPEN_AFTER_WRITES)
    }

    /// `open`, reopening the database after `writes` writes instead of the default.
    pub fn open_reopening_after(dir: &Path, writes: u64) -> Result<Store, StoreError> {
        Store::new(Some(dir.to_path_buf()), OpenDb::at(dir)?, writes)
    }

    /// A throw-away store for tests and one-off commands.
    pub fn temporary() -> Result<Store, StoreError> {
        Store::new(None, OpenDb::from_db(sled::Config::new().temporary(true).open()?)?, u64::MAX)
    }

    fn new(dir: Option<PathBuf>, open: OpenDb, reopen_after_writes: u64) -> Result<Store, StoreError> {
        let store = Store {
            shared: Arc::new(Shared {
                dir,
                open: RwLock::new(Some(open)),
                reopen_after_writes,
                writes_since_open: AtomicU64::new(0),
                reopens: AtomicU64::new(0),
                #[cfg(test)]
                failing: Default::default(),
            }),
        };
        store.check_schema()?;
        Ok(store)
    }

    /// How many times this store has closed and reopened its database.
    pub fn reopens(&self) -> u64 {
        self.shared.reopens.load(Ordering::Relaxed)
    }

    /// Runs `f` on the open database, reopening it first if an earlier reopen failed.
    fn with<R>(&self, f: impl FnOnce(&OpenDb) -> Result<R, StoreError>) -> Result<R, StoreError> {
        if let Some(open) = self.read_lock().as_ref() {
            return f(open);
        }
        self.reopen(Reopen::IfClosed)?;
        match self.read_lock().as_ref() {
            Some(open) => f(open),
            None => Err(StoreError::Closed),
        }
    }

    fn read_lock(&self) -> RwLockReadGuard<'_, Option<OpenDb>> {
        // A panic while reopening leaves `None`, which `with` handles: the poison adds nothing.
        self.shared.open.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Flushes, closes and opens the database again, so that sled writes its snapshot.
    /// The condition is checked again under the lock: another clone may just have done it.
    fn reopen(&self, when: Reopen) -> Result<(), StoreError> {
        let Some(dir) = &self.shared.dir else { return Ok(()) };
        let mut open = self.shared.open.write().unwrap_or_else(PoisonError::into_inner);
        let needed = match (open.is_some(), when) {
            (false, _) => true,
            (true, Reopen::IfClosed) => false,
            (true, Reopen::IfDue) => {
                self.shared.writes_since_open.load(Ordering::Relaxed) >= self.shared.reopen_after_writes
            }
        };
        if !needed {
            return Ok(());
        }
        if let Some(old) = open.take() {
            if let Err(e) = old.db.flush() {
                *open = Some(old);
                return Err(e.into());
            }
            drop(old);
        }
        *open = Some(OpenDb::at(dir)?);
        self.shared.writes_since_open.store(0, Ordering::Relaxed);
        self.shared.reopens.fetch_add(1, Ordering::Relaxed);
        Ok(())
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
            // The owners index (user, NUL, big-endian id) of every reminder: its creator
            // and the colleague it is for. Read from the JSON as schema 1 wrote it, not
            // through today's record type.
            for (key, reminder) in self.scan::<serde_json::Value>(TreeId::Reminders)? {
                let creator = reminder["creator"].as_str();
                let colleague = reminder["target"]["user"].as_str();
                for user in creator.into_iter().chain(colleague) {
                    let mut owner_key = user.as_bytes().to_vec();
                    owner_key.push(0);
                    owner_key.extend_from_slice(&key);
                    batch.put(TreeId::ReminderOwners, owner_key, &());
                }
            }
        }
        batch.put(TreeId::Meta, SCHEMA_KEY, &SCHEMA_VERSION);
        self.commit(batch)
    }

    pub fn get<V: DeserializeOwned>(&self, tree: TreeId, key: &[u8]) -> Result<Option<V>, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| match open.tree(tree).get(key)? {
            None => Ok(None),
            Some(bytes) => decode(&bytes).map(Some),
        })
    }

    pub fn contains(&self, tree: TreeId, key: &[u8]) -> Result<bool, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| Ok(open.tree(tree).contains_key(key)?))
    }

    /// All records of a tree in key order.
    pub fn scan<V: DeserializeOwned>(&self, tree: TreeId) -> Result<Vec<(Vec<u8>, V)>, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| open.tree(tree).iter().map(decode_item).collect())
    }

    /// Calls `f` with each record of a tree in key order, decoding one at a time: for
    /// reading a whole tree without holding it in memory.
    pub fn for_each<V: DeserializeOwned>(&self, tree: TreeId, mut f: impl FnMut(V)) -> Result<(), StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| {
            for item in open.tree(tree).iter() {
                let (_, value) = decode_item::<V>(item)?;
                f(value);
            }
            Ok(())
        })
    }

    /// The record with the smallest key, if the tree has any.
    pub fn first<V: DeserializeOwned>(&self, tree: TreeId) -> Result<Option<(Vec<u8>, V)>, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| open.tree(tree).first()?.map(|item| decode_item(Ok(item))).transpose())
    }

    /// Up to `limit` records with keys below `end`, in key order.
    pub fn scan_below<V: DeserializeOwned>(
        &self,
        tree: TreeId,
        end: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, V)>, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| open.tree(tree).range(..end).take(limit).map(decode_item).collect())
    }

    /// The keys of a tree that start with `prefix`, in order.
    pub fn keys_with_prefix(&self, tree: TreeId, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.injected_failure(Some(tree))?;
        self.with(|open| open.tree(tree).scan_prefix(prefix).keys().map(|k| Ok(k?.to_vec())).collect())
    }

    /// Makes reads of `tree` fail (`None`: commits), until [`Store::heal`]: how tests
    /// stand in for a disk that fails.
    #[cfg(test)]
    pub(crate) fn fail(&self, tree: Option<TreeId>) {
        self.shared.failing.lock().unwrap().push(tree);
    }

    #[cfg(test)]
    pub(crate) fn heal(&self) {
        self.shared.failing.lock().unwrap().clear();
    }

    #[cfg(test)]
    fn injected_failure(&self, tree: Option<TreeId>) -> Result<(), StoreError> {
        match self.shared.failing.lock().unwrap().contains(&tree) {
            true => Err(StoreError::Encoding(format!("injected failure ({tree:?})"))),
            false => Ok(()),
        }
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn injected_failure(&self, _tree: Option<TreeId>) -> Result<(), StoreError> {
        Ok(())
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
        self.with(|open| Ok(open.db.generate_id()?))
    }

    /// Applies every write of the batch atomically. Once enough writes have gathered,
    /// reopens the database afterwards (see `REOPEN_AFTER_WRITES`).
    pub fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        self.injected_failure(None)?;
        if batch.is_empty() {
            return Ok(());
        }
        self.with(|open| {
            let result: Result<(), TransactionError<()>> = open.trees.as_slice().transaction(|trees| {
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
        })?;
        let writes = batch.writes.len() as u64;
        let gathered = self.shared.writes_since_open.fetch_add(writes, Ordering::Relaxed) + writes;
        if gathered >= self.shared.reopen_after_writes {
            // The batch has landed; a failed reopen is retried on the next access.
            if let Err(e) = self.reopen(Reopen::IfDue) {
                tracing::error!(error = %e, "could not reopen the database");
            }
        }
        Ok(())
    }

    /// Writes everything to disk; called on clean shutdown and after important commits.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.with(|open| Ok(open.db.flush().map(drop)?))
    }
}

fn decode_item<V: DeserializeOwned>(item: sled::Result<(sled::IVec, sled::IVec)>) -> Result<(Vec<u8>, V), StoreError> {
    let (k, v) = item?;
    Ok((k.to_vec(), decode(&v)?))
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
    fn reopening_after_many_writes_loses_nothing_and_clones_follow() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open_reopening_after(dir.path(), 10).unwrap();
            let clone = store.clone();
            for i in 0u32..25 {
                let mut batch = Batch::default();
                batch.put(TreeId::Processed, format!("$e{i:02}"), &i);
                store.commit(batch).unwrap();
            }
            assert_eq!(store.reopens(), 2, "reopened every 10 writes (the schema mark was the first)");
            // The clone reads through the reopened database, writes included.
            assert_eq!(clone.scan::<u32>(TreeId::Processed).unwrap().len(), 25);
            assert_eq!(clone.get::<u32>(TreeId::Processed, b"$e24").unwrap(), Some(24));
            let id = clone.next_id().unwrap();
            assert!(store.next_id().unwrap() > id, "ids keep increasing across a reopen");
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.scan::<u32>(TreeId::Processed).unwrap().len(), 25);
    }

    #[test]
    fn readers_on_other_threads_never_see_the_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_reopening_after(dir.path(), 50).unwrap();
        let mut batch = Batch::default();
        batch.put(TreeId::Meta, "kept", &"yes");
        store.commit(batch).unwrap();
        let reader = {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..2_000 {
                    let kept: Option<String> = store.get(TreeId::Meta, b"kept").expect("read during reopens");
                    assert_eq!(kept.as_deref(), Some("yes"));
                }
            })
        };
        for i in 0u32..400 {
            let mut batch = Batch::default();
            batch.put(TreeId::Audit, i.to_be_bytes().to_vec(), &i);
            store.commit(batch).unwrap();
        }
        reader.join().expect("the reader saw every read succeed");
        assert!(store.reopens() >= 7, "{} reopens", store.reopens());
        assert_eq!(store.scan::<u32>(TreeId::Audit).unwrap().len(), 400);
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
            creator_told: false,
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
