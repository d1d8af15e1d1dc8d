import type { QuorumConfig, QuorumMachine } from '../../../src/core/quorum';
import { scheduleFaults, type FaultKind } from './nemesis';
import { DRIFT, TICK_MS, TriadWorld } from './triadWorld';

/**
 * One seeded run of the real triad code: members start in a random order, clients check seats out
 * and in, the nemesis throws every fault kind at it; then everything heals, every member is
 * started again with the license file most of them have, and a master must serve within
 * 2E + s (QUORUM.md check 6). The checker runs after every event throughout.
 */

export interface RunOptions {
  seed: number;
  chaosMs?: number;
  kinds?: readonly FaultKind[];
  makeMachine?: (config: QuorumConfig) => QuorumMachine;
  fullTrace?: boolean;
}

export interface RunResult {
  seed: number;
  violation: string | null;
  trace: string;
  grantsTold: number;
  /** Real time from the heal to the first serving master. */
  healToServingMs: number | null;
  /** Log compactions on the members' disks (their own, and by installing a snapshot). */
  compactions: number;
  /** Snapshots members installed from a peer (they were behind its compacted log). */
  snapshotsInstalled: number;
}

export async function runRandomSeed(options: RunOptions): Promise<RunResult> {
  const chaosMs = options.chaosMs ?? 25_000;
  // mostly our default s = 1 s; every fifth seed a HEARTBEAT_INTERVAL=2 file
  const heartbeatMs = options.seed % 5 === 0 ? 2000 : 1000;
  const triad = new TriadWorld({
    seed: options.seed,
    heartbeatMs,
    primaryIsMaster: options.seed % 3 === 0,
    makeMachine: options.makeMachine,
    fullTrace: options.fullTrace,
    // tiny and varied: compaction after 2 to 10 entries, keeping 0 to 3, frames of 1 to 7 seats
    snapshots: { compactAfterEntries: 2 + (options.seed % 9), keepEntries: options.seed % 4, chunkBytes: 400 + (options.seed % 7) * 350 },
  });
  const { world, checker } = triad;
  for (const member of triad.members) world.at(world.rng.between(0, 5000), () => member.start());
  scheduleFaults(triad, chaosMs, options.kinds);
  const result = (violation: string | null, healToServingMs: number | null): RunResult => ({
    seed: options.seed,
    violation,
    trace: world.traceText(),
    grantsTold: triad.clients.oracle.grantsTold,
    healToServingMs,
    compactions: triad.members.reduce((sum, member) => sum + member.compactions, 0),
    snapshotsInstalled: triad.members.reduce((sum, member) => sum + member.snapshotsInstalled, 0),
  });

  let violation = await triad.run(chaosMs);
  if (violation) return result(violation, null);
  // the end of the faults: links heal, disks and clocks behave, every member runs again; the
  // admin imports the file most members have on the odd one out
  triad.network.healAll();
  const counts = new Map<number, number>();
  for (const member of triad.members) counts.set(member.license, (counts.get(member.license) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  for (const member of triad.members) {
    member.diskLatencyMs = 0;
    world.resume(member);
    member.writeFault = 'none';
    if (member.license !== common) {
      member.crash();
      member.license = common;
    }
    member.start();
  }
  const healedAt = world.now;
  // QUORUM.md check 6, with slack for clock drift, tick granularity and message delay
  const bound = (2 * triad.electionMs() + heartbeatMs) * (1 + DRIFT) + TICK_MS + 50;
  let healToServingMs: number | null = null;
  while (world.now < healedAt + bound && healToServingMs === null) {
    // a supervisor (systemd, the Windows service) starts again a member that stopped after the
    // heal, e.g. on a write that failed just before it
    for (const member of triad.members) if (!member.running) member.start();
    violation = await triad.run(world.now + 10);
    if (violation) return result(violation, null);
    if (checker.masters().length > 0) healToServingMs = world.now - healedAt;
  }
  if (healToServingMs === null)
    return result(`no master serving ${bound.toFixed(0)} ms after the network healed (at ${(world.now / 1000).toFixed(3)} s)`, null);
  triad.clients.stop();
  violation = await triad.run(world.now + 3000);
  return result(violation, healToServingMs);
}
