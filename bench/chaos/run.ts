import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Prng } from '../../test/sim/world/prng';
import { databaseFile } from '../../src/core/store/store';
import { ChaosCluster, findFreePort, HIDDEN_HOSTS, MEMBER_INDEXES, MEMBERS, PUBLIC_HOSTS, type Member } from './cluster';
import { checkChaosRun, type ChaosFigures, type ReportRow } from './checker';
import { ChaosClients } from './clients';
import { applyStep, nemesisSchedule, type FaultKind } from './nemesis';
import { RoleObserver } from './observer';

/**
 * One chaos drill: three `triad serve` processes behind fault proxies, clients checking out
 * throughout, a seeded nemesis, then heal, wait for a master, let every client check in, and
 * check the records (checker.ts).
 *
 * Timing choices: the client heartbeat is 2 s, so a seat lives 6 s without one, plus the
 * failover allowance the grant carries; every fault on a client's path is shorter than that, so
 * a correct triad never costs a client its seat and any lost seat is a finding.
 */

export interface ChaosOptions {
  seed: number;
  /** How long the nemesis runs. */
  durationMs: number;
  cliPath: string;
  clients?: number;
  seats?: number;
  /** Keep the work folder (logs, databases) even when the run is clean. */
  keepWorkDir?: boolean;
  log?: (line: string) => void;
}

export interface FaultRecord {
  atMs: number;
  kind: FaultKind;
  description: string;
  /** From heal until some member answered master; null when none did in time. */
  recoveryMs: number | null;
  masterAfter: string | null;
}

export interface ChaosReport {
  seed: number;
  durationMs: number;
  faults: FaultRecord[];
  figures: ChaosFigures;
  licensedSeats: number;
  violations: string[];
  workDir: string | null;
  summary: string;
}

const CLIENT_HEARTBEAT_MS = 2_000;
/** QUORUM.md check 6 promises 2E + s = 9 s; the machine is shared, so allow twice that. */
const RECOVERY_LIMIT_MS = 20_000;
const OBSERVE_EVERY_MS = 100;
/** A seat whose client vanished times out after 3 heartbeats (6 s); allow a failover on top. */
const SEAT_DRAIN_LIMIT_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function waitForMaster(observer: RoleObserver, sinceMs: number, timeoutMs: number): Promise<Member | null> {
  const freshMaster = () => MEMBER_INDEXES.find((m) => {
    const seen = observer.latest(m);
    return seen !== undefined && seen.sentAt >= sinceMs && seen.role === 'master';
  });
  return (await waitFor(() => freshMaster() !== undefined, timeoutMs)) ? freshMaster()! : null;
}

function readReportLogs(cluster: ChaosCluster): ReportRow[] {
  return MEMBER_INDEXES.flatMap((member) => {
    const db = new Database(path.join(cluster.dataDirs[member], databaseFile), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT lease_id, event, time_ms FROM report_log').all() as { lease_id: string | null; event: string; time_ms: number }[];
      return rows.map((r) => ({ member, leaseId: r.lease_id, event: r.event, timeMs: r.time_ms }));
    } finally {
      db.close();
    }
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const seats = options.seats ?? 6;
  const clientCount = options.clients ?? 10;
  const workDir = mkdtempSync(path.join(tmpdir(), `triad-chaos-${options.seed}-`));
  // separate streams so the fault schedule does not shift with how many bytes the proxies saw
  const linkRandom = new Prng(options.seed ^ 0x5bd1e995);
  const clientRandom = new Prng(options.seed ^ 0x27d4eb2f);
  const cluster = new ChaosCluster({
    workDir,
    cliPath: options.cliPath,
    seats,
    clientHeartbeatMs: CLIENT_HEARTBEAT_MS,
    random: () => linkRandom.next(),
    publicPort: await findFreePort(PUBLIC_HOSTS),
    hiddenPort: await findFreePort(HIDDEN_HOSTS),
  });
  const observer = new RoleObserver(cluster.hiddenAddresses, OBSERVE_EVERY_MS);
  const clients = new ChaosClients({
    count: clientCount,
    servers: cluster.publicAddresses,
    random: () => clientRandom.next(),
    // some holds outlast a failover (about 4-5 s), so resumption is exercised
    holdMs: [500, 10_000],
    pauseMs: [100, 1_500],
  });
  const faults: FaultRecord[] = [];
  const runViolations: string[] = [];
  const startedAt = Date.now();
  const elapsed = (at = Date.now()) => `+${((at - startedAt) / 1000).toFixed(1)}s`;

  try {
    await cluster.start();
    observer.start();
    const first = await waitForMaster(observer, startedAt, 30_000);
    if (first === null) throw new Error(`no master 30 s after start; see ${workDir}`);
    log(`${elapsed()} ${MEMBERS[first]} is master; ${clientCount} clients start on ${seats} seats`);
    clients.start();
    await sleep(2_000);

    const deadline = Date.now() + options.durationMs;
    for (const step of nemesisSchedule(options.seed, options.durationMs)) {
      if (Date.now() >= deadline) break;
      const atMs = Date.now();
      const applied = await applyStep(step, cluster, observer.currentMaster());
      log(`${elapsed(atMs)} ${applied.description}`);
      await sleep(step.durationMs);
      await applied.heal();
      const healedAt = Date.now();
      const master = await waitForMaster(observer, healedAt, RECOVERY_LIMIT_MS);
      const recoveryMs = master === null ? null : Date.now() - healedAt;
      faults.push({ atMs, kind: applied.kind, description: applied.description, recoveryMs, masterAfter: master === null ? null : MEMBERS[master] });
      log(`${elapsed()}   healed; ${master === null ? 'NO MASTER' : `master ${MEMBERS[master]} after ${recoveryMs} ms`}`);
      if (master === null) runViolations.push(`no master within ${RECOVERY_LIMIT_MS / 1000} s after healing: ${applied.description}`);
      await sleep(step.quietMs);
    }

    cluster.healAll();
    const last = await waitForMaster(observer, Date.now(), RECOVERY_LIMIT_MS);
    if (last === null) runViolations.push(`no master within ${RECOVERY_LIMIT_MS / 1000} s after the final heal`);
    await clients.stop();
    // every client checked in or let go: the master must come back to no seat in use once the
    // seats of clients that could not say goodbye time out (a leaked seat never does)
    const stoppedAt = Date.now();
    const drained = await waitFor(() => {
      const master = observer.currentMaster();
      const seen = master === null ? undefined : observer.latest(master);
      return seen !== undefined && seen.sentAt > stoppedAt && seen.inUse === 0;
    }, SEAT_DRAIN_LIMIT_MS);
    if (!drained) {
      const master = observer.currentMaster();
      runViolations.push(
        `${master === null ? 'no master' : `${observer.latest(master)?.inUse} seat(s) still in use on ${MEMBERS[master]}`} ` +
          `${SEAT_DRAIN_LIMIT_MS / 1000} s after every client checked in or let go`,
      );
    }
  } finally {
    await clients.stop();
    await observer.stop();
    await cluster.stop();
  }
  const endedAt = Date.now();

  const result = checkChaosRun({
    licensedSeats: seats,
    clientEvents: clients.events,
    reportRows: readReportLogs(cluster),
    observations: observer.observations,
    endedAt,
  });
  const violations = [...runViolations, ...result.violations];
  const keep = options.keepWorkDir || violations.length > 0;
  if (keep) {
    // the trace of a failing run: what each client was told, each fault, each role answer
    const trace = { seed: options.seed, faults, clientEvents: clients.events, observations: observer.observations, violations };
    writeFileSync(path.join(workDir, 'trace.json'), JSON.stringify(trace, null, 1));
  } else {
    rmSync(workDir, { recursive: true, force: true });
  }
  const report: Omit<ChaosReport, 'summary'> = {
    seed: options.seed,
    durationMs: options.durationMs,
    faults,
    figures: result.figures,
    licensedSeats: seats,
    violations,
    workDir: keep ? workDir : null,
  };
  return { ...report, summary: formatSummary(report, clientCount, endedAt - startedAt) };
}

export function formatSummary(report: Omit<ChaosReport, 'summary'>, clients: number, wallMs: number): string {
  const f = report.figures;
  const kinds = new Map<string, number>();
  for (const fault of report.faults) kinds.set(fault.kind, (kinds.get(fault.kind) ?? 0) + 1);
  const recoveries = report.faults.flatMap((fault) => (fault.recoveryMs === null ? [] : [fault.recoveryMs]));
  const lines = [
    `Triad chaos drill: seed ${report.seed}, nemesis ${Math.round(report.durationMs / 1000)} s (wall ${Math.round(wallMs / 1000)} s), ` +
      `3 servers, ${clients} clients, ${report.licensedSeats} seats`,
    `Faults (${report.faults.length}): ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
    `Recovery after heal: max ${recoveries.length ? Math.max(...recoveries) : '-'} ms, ` +
      `${report.faults.filter((x) => x.recoveryMs === null).length} without a master in time`,
    `Clients: ${f.grants} grants, ${f.denials} denials, ${f.unreachable} unreachable, ${f.resumes} resumes, ${f.lostSeats} seats lost, ` +
      `${f.checkinsReclaimed} checkins reclaimed instead`,
    `Seats: max ${f.maxSeatsHeldByClients} held by clients at once, max ${f.maxSeatsInReportLogs} out in the report logs, ${report.licensedSeats} licensed`,
    `Masters: ${f.masterChanges} changes seen in ${f.observations} status answers ` +
      `(each member polled about every ${OBSERVE_EVERY_MS} ms; largest gap ${f.observationGranularityMs} ms)`,
    report.violations.length === 0 ? 'Violations: none' : `VIOLATIONS (${report.violations.length}):\n${report.violations.map((v) => `  - ${v}`).join('\n')}`,
    ...(report.workDir ? [`Logs and databases kept in ${report.workDir}`] : []),
    `Replay: CHAOS_SEED=${report.seed} CHAOS_SECONDS=${Math.round(report.durationMs / 1000)} npm run chaos`,
  ];
  return lines.join('\n');
}
