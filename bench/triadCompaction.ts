import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { parseLicenseText } from '../src/core/license';
import type { Rank } from '../src/core/quorum';
import { triadSetup } from '../src/core/server/triad/peerConfig';
import { TriadDriver } from '../src/core/server/triad/triadDriver';
import { systemClock } from '../src/core/server/runtime';
import { databaseFile, openStore } from '../src/core/store';
import { shareClusterSecret } from '../test/support/clusterSecret';
import { freePort } from '../test/support/freePort';
import { benchLicense, startServer, statusOf, waitForMaster, type BenchChild, type ServedLicense } from './benchProcesses';
import { connectAll, round, runPairs, type FrameClient } from './loadClient';

/**
 * What log compaction bounds: a triad of three `triad serve` processes (127.0.0.1, .2, .3) takes
 * `pairs` replicated checkout+checkin pairs (every op appended, committed by a standby and
 * applied on all three), then every client holds one seat. Reported per member: the database
 * size and how it splits (quorum log, lease table, the master's report and debug logs), and
 * restart times: a standby and the master stopped (SIGTERM) and started again, from process
 * start to its "ready" line and to answering status as standby; and the driver's start alone
 * (loading the quorum state and replaying the kept tail) on a copy of a stopped member's data.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const SLICE_MS = 20_000;

export interface CompactionBenchOptions {
  pairs?: number;
  clients?: number;
}

export async function benchTriadCompaction(opts: CompactionBenchOptions = {}): Promise<Record<string, number>> {
  const pairsWanted = opts.pairs ?? 1_000_000;
  const clientCount = opts.clients ?? 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'triad-bench-'));
  const members: (BenchChild | null)[] = [null, null, null];
  const dataDir = (rank: number) => path.join(dir, `data-${hosts[rank]}`);
  try {
    const port = await freePort();
    const license = benchLicense(dir, clientCount, hosts, port);
    shareClusterSecret([0, 1, 2].map(dataDir));
    const start = async (rank: number) => {
      const { server } = await startServer(license, { dataDir: dataDir(rank), as: hosts[rank], port, maxConnections: clientCount + 10 });
      members[rank] = server;
    };
    for (let rank = 0; rank < 3; rank++) await start(rank);
    await waitForMaster(hosts, port);
    const clients = await connectAll(port, clientCount, hosts[0]);

    let pairs = 0;
    let failures = 0;
    const loadStarted = performance.now();
    while (pairs < pairsWanted) {
      const slice = await runPairs(clients, SLICE_MS);
      pairs += slice.latencies.length;
      failures += slice.failures;
      const elapsed = (performance.now() - loadStarted) / 1000;
      process.stdout.write(`  ${pairs} pairs in ${elapsed.toFixed(0)} s (${Math.round(pairs / elapsed)}/s), ${failures} failed\n`);
      if (slice.latencies.length === 0) throw new Error('the triad stopped answering checkouts');
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const seatsHeld = await holdOneSeatEach(clients);
    // the standbys apply the last commits with the next heartbeat
    await sleep(2_000);
    const disk = [0, 1, 2].map((rank) => diskFigures(dataDir(rank)));

    const figures: Record<string, number> = {
      pairs,
      failures,
      pairsPerSecond: Math.round(pairs / loadSeconds),
      seatsHeld,
    };
    disk.forEach((member, rank) => {
      for (const [name, value] of Object.entries(member)) figures[`${['primary', 'secondary', 'tertiary'][rank]}.${name}`] = value;
    });
    // without compaction the log would hold every entry ever committed
    figures.logWithoutCompactionMB = round((disk[1].quorumLogBytes / Math.max(1, disk[1].quorumLogRows)) * disk[1].commitIndex / 1e6, 1);

    // a standby restarts; before it starts again, its driver's start alone on a copy of its data
    await members[2]!.stop();
    Object.assign(figures, await driverStartAlone(license, dataDir(2), dir, 2));
    Object.assign(figures, prefixed('tertiaryRestart', await restartTimes(() => start(2), hosts[2], port)));
    // the master restarts: the secondary takes over, the primary comes back as its standby
    await members[0]!.stop();
    await waitForRole(hosts[1], port, 'master', 15_000);
    Object.assign(figures, prefixed('primaryRestart', await restartTimes(() => start(0), hosts[0], port)));
    for (const client of clients) client.close();
    return figures;
  } finally {
    await Promise.all(members.map((member) => member?.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function holdOneSeatEach(clients: FrameClient[]): Promise<number> {
  const replies = await Promise.all(
    clients.map((client, index) =>
      client.ask({ type: 'checkout', id: 1_000_000_000, feature: 'Bench', version: '1.0', count: 1, user: `holder${index}`, host: 'bench', display: ':0' }),
    ),
  );
  return replies.filter((reply) => typeof reply.leaseId === 'string').length;
}

/** Sizes on disk (bytes) and what the database holds, read beside the running server (WAL). */
function diskFigures(dataDir: string): Record<string, number> {
  const file = path.join(dataDir, databaseFile);
  const size = (name: string) => {
    try {
      return statSync(name).size;
    } catch {
      return 0;
    }
  };
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    const pages = new Map(rows.map((row) => [row.name, row.bytes]));
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const state = db.prepare('SELECT commit_index, snapshot_index FROM quorum_state WHERE id = 1').get() as { commit_index: number; snapshot_index: number };
    const tableBytes = (prefix: string) => [...pages.entries()].filter(([name]) => name.startsWith(prefix)).reduce((sum, [, bytes]) => sum + bytes, 0);
    return {
      databaseMB: round((size(file) + size(`${file}-wal`)) / 1e6, 1),
      commitIndex: state.commit_index,
      snapshotIndex: state.snapshot_index,
      quorumLogRows: count('quorum_log'),
      quorumLogBytes: tableBytes('quorum_log'),
      leaseRows: count('leases'),
      leaseBytes: tableBytes('leases') + tableBytes('sqlite_autoindex_leases'),
      reportLogRows: count('report_log'),
      reportLogMB: round(tableBytes('report_log') / 1e6, 1),
      debugLogRows: count('debug_log'),
      debugLogMB: round(tableBytes('debug_log') / 1e6, 1),
    };
  } finally {
    db.close();
  }
}

/** Opening the store and the driver's start (load the quorum state, replay the tail) on a copy. */
async function driverStartAlone(license: ServedLicense, dataDir: string, scratch: string, self: Rank): Promise<Record<string, number>> {
  const copy = path.join(scratch, 'restart-copy');
  cpSync(dataDir, copy, { recursive: true });
  const t0 = performance.now();
  const store = openStore(copy);
  const opened = performance.now();
  const file = parseLicenseText(readFileSync(license.licensePath, 'utf8'), license.licensePath).file;
  const setup = triadSetup(file, { self, vendorDaemon: 'bench', auth: '', newTriadId: 'bench' });
  if (!setup.ok) throw new Error(setup.message);
  const driver = new TriadDriver({
    store,
    config: setup.value.config,
    addresses: setup.value.addresses,
    network: { start: () => {}, stop: () => {}, warnings: () => [] },
    clock: systemClock,
    debug: () => {},
    requestShutdown: () => {},
    reread: () => {},
    installLicense: () => {},
  });
  const t1 = performance.now();
  driver.start();
  const started = performance.now();
  driver.stop();
  store.close();
  rmSync(copy, { recursive: true, force: true });
  return { storeOpenMs: round(opened - t0), driverStartMs: round(started - t1) };
}

/** From process start: its "ready" line, then answering status as standby. */
async function restartTimes(start: () => Promise<void>, host: string, port: number): Promise<Record<string, number>> {
  const t0 = performance.now();
  await start();
  const ready = performance.now();
  await waitForRole(host, port, 'standby', 30_000);
  return { readyMs: Math.round(ready - t0), standbyMs: Math.round(performance.now() - t0) };
}

async function waitForRole(host: string, port: number, role: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await statusOf(host, port).catch(() => null))?.role === role) return;
    await sleep(20);
  }
  throw new Error(`${host} did not become ${role} within ${timeoutMs / 1000} s`);
}

const prefixed = (prefix: string, figures: Record<string, number>) =>
  Object.fromEntries(Object.entries(figures).map(([name, value]) => [`${prefix}.${name}`, value]));
