/**
 * Schema history. Each entry is one migration, applied once, in order, in its own transaction;
 * `schema_migrations` records which ran. Never edit a released entry: append a new one.
 */
import type BetterSqlite3 from 'better-sqlite3';

export const migrations: readonly string[] = [
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE license_files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE trusted_keys (
    vendor TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (vendor, public_key)
  ) STRICT;

  CREATE TABLE search_entries (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('single', 'redundant')),
    hosts TEXT NOT NULL
  ) STRICT;

  CREATE TABLE debug_log (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    daemon TEXT NOT NULL,
    message TEXT NOT NULL
  ) STRICT;
  CREATE INDEX debug_log_time ON debug_log (time_ms);

  CREATE TABLE report_log (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('OUT', 'IN', 'DENIED', 'RECLAIM', 'REMOVE')),
    feature TEXT NOT NULL,
    version TEXT NOT NULL,
    user TEXT NOT NULL,
    host TEXT NOT NULL,
    display TEXT NOT NULL,
    lease_id TEXT,
    count INTEGER NOT NULL,
    server TEXT NOT NULL,
    reason TEXT
  ) STRICT;
  CREATE INDEX report_log_time ON report_log (time_ms);
  CREATE INDEX report_log_feature_time ON report_log (feature, time_ms);

  CREATE TABLE leases (
    lease_id TEXT PRIMARY KEY,
    pool_key TEXT NOT NULL,
    feature TEXT NOT NULL,
    vendor TEXT NOT NULL,
    version TEXT NOT NULL,
    user TEXT NOT NULL,
    host TEXT NOT NULL,
    display TEXT NOT NULL,
    ip TEXT NOT NULL,
    project TEXT,
    count INTEGER NOT NULL,
    granted_at INTEGER NOT NULL,
    resume_token TEXT NOT NULL,
    client_id TEXT NOT NULL,
    server TEXT NOT NULL,
    handle INTEGER NOT NULL,
    linger_seconds INTEGER NOT NULL,
    linger_until INTEGER
  ) STRICT;

  CREATE TABLE quorum_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL,
    voted_epoch INTEGER,
    voted_for TEXT,
    commit_index INTEGER NOT NULL
  ) STRICT;
  INSERT INTO quorum_state (id, epoch, voted_epoch, voted_for, commit_index) VALUES (1, 0, NULL, NULL, 0);

  CREATE TABLE quorum_log (
    idx INTEGER PRIMARY KEY,
    epoch INTEGER NOT NULL,
    op TEXT NOT NULL
  ) STRICT;

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    from_address TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
  ) STRICT;
  `,
  // 2: a restart finds the license switches before the log tail it loads without scanning the log
  `
  CREATE INDEX quorum_log_license_switches ON quorum_log (idx) WHERE json_extract(op, '$.kind') = 'licenseSwitch';
  `,
  // 3: every checkout and checkin writes a report row, and this text-keyed index cost a pair a
  // fifth to a third of its SQLite time; a query by feature walks report_log_time or the ids instead
  `
  DROP INDEX report_log_feature_time;
  `,
  // 4: a triad member knows which triad its state belongs to and whether it is a learner (it lost
  // state and catches up before it votes); promises are no longer kept across restarts
  `
  ALTER TABLE quorum_state ADD COLUMN triad_id TEXT;
  ALTER TABLE quorum_state ADD COLUMN learner INTEGER NOT NULL DEFAULT 0 CHECK (learner IN (0, 1));
  DELETE FROM settings WHERE key = 'quorum.promisedUntil';
  `,
  // 5: the quorum log is compacted: entries up to snapshot_index are gone, the lease table holds
  // their effect; the epoch of that entry and the last license switch up to it are kept here
  `
  ALTER TABLE quorum_state ADD COLUMN snapshot_index INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE quorum_state ADD COLUMN snapshot_epoch INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE quorum_state ADD COLUMN snapshot_switch TEXT;
  `,
  // 6: signatures are verified once per line and key: a restart or reread of unchanged license
  // files finds its checks here (verifiedSignatures.ts)
  `
  CREATE TABLE verified_signatures (
    key TEXT PRIMARY KEY,
    verified_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
];

/** Applies the migrations this database has not seen yet; returns how many ran. */
export function applyMigrations(db: BetterSqlite3.Database, list: readonly string[] = migrations): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as { version: number };
  if (row.version > list.length) {
    throw new Error(
      `The database is at schema version ${row.version} but this Triad knows only ${list.length}: it was written by a newer Triad. ` +
        'Install that version or use another data directory.',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (let version = row.version + 1; version <= list.length; version += 1) {
    db.transaction(() => {
      db.exec(list[version - 1]);
      record.run(version, Date.now());
    })();
  }
  return list.length - row.version;
}
