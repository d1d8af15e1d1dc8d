import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClientEvent } from './clients';
import { LabNetwork, MEMBER_INDEXES, MEMBERS, type Member } from './cluster';
import type { NamespaceLab } from './netns';
import type { RoleObservation } from './observer';
import { figureLines } from './run';
import { createDrill, sleep } from './session';
import { MemberClocks } from './wallClock';

/**
 * Issue 14, finding 1, with real processes: three `triad serve` members, each in its own network
 * namespace and on its own wall clock (libfaketime). Once clients hold every seat, the master is
 * cut from both peers (blackhole routes; its clients still reach it) and at the same moment its
 * wall clock steps back. A member that measures its lease on the wall clock then believes its
 * lease has time left while the other two elect a new master: two members answer as master, and
 * the cut-off one goes on answering its clients' heartbeats for seats the new master reclaims and
 * hands out again. The checker reports both; on correct code (every duration on a monotonic
 * clock) the drill finds nothing.
 */

export interface ClockStepDrillOptions {
  seed: number;
  /** The CLI bundle (dist/cli.mjs). */
  cliPath: string;
  /** Where the members live (this process runs in its client namespace). */
  lab: NamespaceLab;
  /** The master's clock step, ms (default 30 s back). */
  stepMs?: number;
  /** How long the cut lasts. */
  cutMs?: number;
  keepWorkDir?: boolean;
  log?: (line: string) => void;
}

export interface ClockStepDrillReport {
  violations: string[];
  summary: string;
}

const SEATS = 6;
const CLIENTS = 10;

/** The role each member answered last at real time `t`. */
function rolesAt(observations: readonly RoleObservation[], t: number): string {
  return MEMBER_INDEXES.map((m) => {
    let role: string | null = null;
    for (const o of observations) if (o.member === m && o.receivedAt <= t) role = o.role ?? 'no answer';
    return `${MEMBERS[m]} ${role ?? '-'}`;
  }).join(', ');
}

export async function runClockStepDrill(options: ClockStepDrillOptions): Promise<ClockStepDrillReport> {
  const log = options.log ?? (() => {});
  const stepMs = options.stepMs ?? -30_000;
  const cutMs = options.cutMs ?? 20_000;
  const workDir = mkdtempSync(path.join(tmpdir(), 'triad-chaos-clock-step-'));
  const clocks = new MemberClocks(path.join(workDir, 'clocks'), 3);
  const network = new LabNetwork(options.lab);
  const { cluster, session } = createDrill({
    program: { kind: 'serve', cliPath: options.cliPath },
    network,
    seed: options.seed,
    workDir,
    clocks,
    clients: CLIENTS,
    seats: SEATS,
    // long holds: the seats held on the old master outlive the whole episode
    holdMs: [25_000, 45_000],
    pauseMs: [200, 1_000],
    keepWorkDir: options.keepWorkDir ?? false,
    log,
  });
  let cutAt = 0;
  let master: Member;
  try {
    master = await session.begin();
    // every seat taken, every client heartbeating
    await sleep(8_000);
    cutAt = Date.now();
    network.links.cutFromPeers(master);
    clocks.step(master, stepMs);
    log(
      `${session.elapsed(cutAt)} ${MEMBERS[master]} (master) cut from both peers with blackhole routes (clients still reach it); its wall clock ` +
        `stepped ${stepMs / 1000} s at the same moment`,
    );
    for (let second = 1; second * 1000 <= cutMs; second++) {
      await sleep(cutAt + second * 1000 - Date.now());
      log(`${session.elapsed()}   ${rolesAt(session.observer.observations, Date.now())}`);
    }
    network.links.healAll();
    clocks.set(master, 0);
    log(`${session.elapsed()} links healed, ${MEMBERS[master]}'s clock put right`);
    await sleep(8_000);
    await session.end();
  } catch (error) {
    await session.abort();
    throw error;
  }
  const result = await session.finish({ trace: { drill: 'clock-step', cutAt, stepMs, master: MEMBERS[master] } });

  // what the cut-off master told its clients once another member answered as master
  const masterAddress = `${cluster.publicAddresses[master].port}@${cluster.publicAddresses[master].host}`;
  const rivalSince = session.observer.observations.find((o) => o.member !== master && o.role === 'master' && o.sentAt > cutAt)?.sentAt ?? null;
  const answeredAfter = (kind: ClientEvent['kind']) =>
    rivalSince === null ? 0 : session.clients.events.filter((e) => e.kind === kind && e.detail === masterAddress && e.atMs > rivalSince).length;
  const lines = [
    `Clock-step drill (issue 14, finding 1): seed ${options.seed}, 3 \`triad serve\` members in network namespaces, ${CLIENTS} clients, ${SEATS} seats`,
    `Cut ${MEMBERS[master]} (master) from both peers and stepped its wall clock ${stepMs / 1000} s for ${cutMs / 1000} s`,
    rivalSince === null
      ? 'No other member answered as master during the cut'
      : `Another member answered as master ${((rivalSince - cutAt) / 1000).toFixed(1)} s after the cut; after that ${MEMBERS[master]} answered ` +
        `${answeredAfter('confirmed')} client heartbeat(s) and ${answeredAfter('resumed')} resume(s)`,
    ...figureLines(result.figures),
    result.violations.length === 0 ? 'Violations: none' : `VIOLATIONS (${result.violations.length}):\n${result.violations.map((v) => `  - ${v}`).join('\n')}`,
    ...(result.workDir ? [`Logs and databases kept in ${result.workDir}`] : []),
  ];
  return { violations: result.violations, summary: lines.join('\n') };
}
