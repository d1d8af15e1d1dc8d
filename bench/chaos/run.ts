import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Prng } from '../../test/sim/world/prng';
import type { ChaosFigures } from './checker';
import { MEMBER_INDEXES, MEMBERS, ProxyNetwork, type Member } from './cluster';
import { DatabaseSnapshots } from './disk';
import { RuntimeImports } from './imports';
import { applyStep, CLOCK_KINDS, FAULT_KINDS, nemesisSchedule, type FaultKind } from './nemesis';
import { createDrill, OBSERVE_EVERY_MS, RECOVERY_LIMIT_MS, sleep } from './session';
import { faketimeSupport, MemberClocks } from './wallClock';

/**
 * One chaos drill: three headless hosts (the license server with its admin API) behind fault
 * proxies, clients checking out throughout, a seeded nemesis, then heal, wait for a master, let
 * every client check in, and check the records (checker.ts).
 */

export interface ChaosOptions {
  seed: number;
  /** How long the nemesis runs. */
  durationMs: number;
  /** The headless host bundle (dist/host.mjs, or the test bundle). */
  hostPath: string;
  /** Fault kinds to draw from (default: all). */
  kinds?: readonly FaultKind[];
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
  /** From heal until a master and two standbys answered; null when not in time. */
  wholeMs: number | null;
  masterAfter: string | null;
}

export interface ChaosReport {
  seed: number;
  durationMs: number;
  kinds: readonly FaultKind[];
  faults: FaultRecord[];
  figures: ChaosFigures;
  licensedSeats: number;
  violations: string[];
  workDir: string | null;
  summary: string;
}

/** Kinds that step member clocks when libfaketime is there (clock kinds need it). */
const CLOCKED_KINDS: readonly FaultKind[] = [...CLOCK_KINDS, 'wipe', 'rollback'];

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const seats = options.seats ?? 6;
  const clientCount = options.clients ?? 10;
  const kinds = options.kinds ?? FAULT_KINDS;
  const noFaketime = faketimeSupport();
  if (noFaketime && kinds.some((k) => CLOCK_KINDS.includes(k))) throw new Error(`clock steps cannot run: ${noFaketime}`);
  const workDir = mkdtempSync(path.join(tmpdir(), `triad-chaos-${options.seed}-`));
  const clocks = !noFaketime && kinds.some((k) => CLOCKED_KINDS.includes(k)) ? new MemberClocks(path.join(workDir, 'clocks'), 3) : null;
  // separate streams so the fault schedule does not shift with how many bytes the proxies saw
  const linkRandom = new Prng(options.seed ^ 0x5bd1e995);
  const { cluster, session } = createDrill({
    program: { kind: 'host', hostPath: options.hostPath },
    network: await ProxyNetwork.create(() => linkRandom.next()),
    seed: options.seed,
    workDir,
    clocks,
    clients: clientCount,
    seats,
    // some holds outlast a failover (about 4-5 s), so resumption is exercised
    holdMs: [500, 10_000],
    pauseMs: [100, 1_500],
    keepWorkDir: options.keepWorkDir ?? false,
    log,
  });
  const snapshots = new DatabaseSnapshots(
    cluster.dataDirs,
    path.join(workDir, 'snapshots'),
    (m) => cluster.isRunning(m as 0 | 1 | 2) && !cluster.members[m].paused,
  );
  const imports = new RuntimeImports(cluster);
  const faults: FaultRecord[] = [];

  try {
    await session.begin();
    if (kinds.includes('rollback')) snapshots.start();
    await sleep(2_000);

    const deadline = Date.now() + options.durationMs;
    let stillOut = new Set<Member>();
    for (const step of nemesisSchedule(options.seed, options.durationMs, kinds)) {
      if (Date.now() >= deadline) break;
      const atMs = Date.now();
      const applied = await applyStep(step, { cluster, clocks, snapshots, tail: session.tail, imports, master: session.observer.currentMaster() });
      log(`${session.elapsed(atMs)} ${applied.description}`);
      if (applied.violation) session.violations.push(applied.violation);
      await sleep(step.durationMs);
      const problem = await applied.heal();
      if (problem) {
        session.violations.push(problem);
        log(`${session.elapsed()}   ${problem}`);
      }
      const healedAt = Date.now();
      const master = await session.waitForMaster(healedAt, RECOVERY_LIMIT_MS);
      const recoveryMs = master === null ? null : Date.now() - healedAt;
      // a member that lost its disk rejoins as a learner: the next fault waits until it votes again
      // (two members short of their state at once is more than three servers can survive)
      const whole = master !== null && (await session.waitForWholeTriad(healedAt, RECOVERY_LIMIT_MS));
      const wholeMs = whole ? Date.now() - healedAt : null;
      faults.push({ atMs, kind: applied.kind, description: applied.description, recoveryMs, wholeMs, masterAfter: master === null ? null : MEMBERS[master] });
      const outcome =
        master === null
          ? 'NO MASTER'
          : `master ${MEMBERS[master]} after ${recoveryMs} ms, ${whole ? `all three back after ${wholeMs} ms` : 'NOT ALL THREE BACK'}`;
      log(`${session.elapsed()}   healed; ${outcome} (${session.roles()})`);
      if (master === null) session.violations.push(`no master within ${RECOVERY_LIMIT_MS / 1000} s after healing: ${applied.description}`);
      // one violation per member that stays out, not one per fault while it does
      const out = whole ? [] : MEMBER_INDEXES.filter((m) => !['master', 'standby'].includes(session.observer.latest(m)?.role ?? ''));
      if (master !== null && out.some((m) => !stillOut.has(m))) {
        session.violations.push(
          `not all three back (a master and two standbys) ${RECOVERY_LIMIT_MS / 1000} s after healing: ${applied.description} (${session.roles()})`,
        );
      }
      stillOut = new Set(out);
      await sleep(step.quietMs);
    }
    await session.end();
  } catch (error) {
    await session.abort();
    throw error;
  } finally {
    snapshots.stop();
  }
  const result = await session.finish({ countChanges: imports.countChanges, trace: { kinds, faults } });
  const report: Omit<ChaosReport, 'summary'> = {
    seed: options.seed,
    durationMs: options.durationMs,
    kinds,
    faults,
    figures: result.figures,
    licensedSeats: seats,
    violations: result.violations,
    workDir: result.workDir,
  };
  return { ...report, summary: formatSummary(report, clientCount, result.wallMs) };
}

export function formatSummary(report: Omit<ChaosReport, 'summary'>, clients: number, wallMs: number): string {
  const f = report.figures;
  const kinds = new Map<string, number>();
  for (const fault of report.faults) kinds.set(fault.kind, (kinds.get(fault.kind) ?? 0) + 1);
  const recoveries = report.faults.flatMap((fault) => (fault.recoveryMs === null ? [] : [fault.recoveryMs]));
  const wholes = report.faults.flatMap((fault) => (fault.wholeMs === null ? [] : [fault.wholeMs]));
  const lines = [
    `Triad chaos drill: seed ${report.seed}, nemesis ${Math.round(report.durationMs / 1000)} s (wall ${Math.round(wallMs / 1000)} s), 3 servers, ` +
      `${clients} clients, ${report.licensedSeats} seats at the start`,
    `Faults (${report.faults.length}): ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
    `Recovery after heal: a master after at most ${recoveries.length ? Math.max(...recoveries) : '-'} ms ` +
      `(${report.faults.filter((x) => x.recoveryMs === null).length} times none in time); ` +
      `all three back after at most ${wholes.length ? Math.max(...wholes) : '-'} ms ` +
      `(${report.faults.filter((x) => x.wholeMs === null).length} times not in time)`,
    ...figureLines(f),
    report.violations.length === 0
      ? 'Violations: none'
      : `VIOLATIONS (${report.violations.length}):\n${report.violations.map((v) => `  - ${v}`).join('\n')}`,
    ...(report.workDir ? [`Logs and databases kept in ${report.workDir}`] : []),
    `Replay: CHAOS_SEED=${report.seed} CHAOS_SECONDS=${Math.round(report.durationMs / 1000)}` +
      `${report.kinds.length === FAULT_KINDS.length ? '' : ` CHAOS_KINDS=${report.kinds.join(',')}`} npm run chaos`,
  ];
  return lines.join('\n');
}

/** The checker's figures as summary lines (shared by every drill). */
export function figureLines(f: ChaosFigures): string[] {
  return [
    `Clients: ${f.grants} grants, ${f.denials} denials, ${f.unreachable} unreachable, ${f.resumes} resumes, ${f.lostSeats} seats lost, ` +
      `${f.checkinsReclaimed} checkins reclaimed instead`,
    `Seats: max ${f.maxSeatsHeldByClients} held by clients at once (counting every seat a member still answered for), max ${f.maxSeatsInReportLogs} ` +
      `out in the report logs; ${f.seatsAnsweredAfterEnd} seat(s) answered for after a report log ended them`,
    `Masters: ${f.masterChanges} changes seen in ${f.observations} status answers (each member polled about every ${OBSERVE_EVERY_MS} ms; largest gap ` +
      `${f.observationGranularityMs} ms); two masters at once for ${(f.twoMasterMs / 1000).toFixed(1)} s`,
  ];
}
