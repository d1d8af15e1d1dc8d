import { RANKS, electionTimeoutMs, type LicenseIdentity, type QuorumConfig, type QuorumMachine, type Rank } from '../../../src/core/quorum';
import { ClientPopulation } from './clients';
import { Cluster, GOOD_IDENTITY, RANK_LETTER, SimViolation, calmNetwork } from './cluster';
import { InvariantChecker } from './invariants';

/**
 * One seeded run: members start in a random order, clients check seats in and out, and faults
 * rain down (crashes with restarts, symmetric and one-way cuts, the P-S cut, loss, delay,
 * duplication, reordering, a member restarted with another license file). Then the network heals
 * and a master must be serving within 2E + s.
 */

export interface RunOptions {
  seed: number;
  chaosMs?: number;
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
}

const DRIFT = 0.01;
const TICK_MS = 50;
const OTHER_LICENSE: LicenseIdentity = { licenseHash: 'hash-rekeyed', serverOrder: GOOD_IDENTITY.serverOrder };

export function runRandomSeed(options: RunOptions): RunResult {
  const chaosMs = options.chaosMs ?? 30_000;
  // mostly our default s = 1 s; every fifth seed a HEARTBEAT_INTERVAL=2 file
  const heartbeatMs = options.seed % 5 === 0 ? 2000 : 1000;
  const cluster = new Cluster({
    seed: options.seed,
    heartbeatMs,
    driftBound: DRIFT,
    primaryIsMaster: options.seed % 3 === 0,
    tickMs: TICK_MS,
    makeMachine: options.makeMachine,
    fullTrace: options.fullTrace,
  });
  const rng = cluster.rng;
  const clients = new ClientPopulation(cluster, 6, 3);
  const checker = new InvariantChecker(cluster, clients.oracle);
  cluster.afterEvent = () => checker.check();
  for (const rank of RANKS) cluster.at(rng.between(0, 5000), () => cluster.start(rank));
  scheduleFaults(cluster, chaosMs);

  let healToServingMs: number | null = null;
  try {
    cluster.runUntil(chaosMs);
    cluster.healAll();
    // the admin imports the file most members have on the odd one out
    const files = RANKS.map((rank) => cluster.nodes[rank].identity);
    const common = files.find((file) => files.filter((other) => other.licenseHash === file.licenseHash).length >= 2) ?? files[0];
    for (const rank of RANKS) {
      if (cluster.nodes[rank].identity.licenseHash !== common.licenseHash) cluster.crash(rank);
      cluster.start(rank, common);
    }
    const healedAt = cluster.now;
    const electionMs = electionTimeoutMs(cluster.nodes[1].machine!.timings, 1);
    // QUORUM.md check 6, with slack for clock drift, tick granularity and message delay
    const bound = (2 * electionMs + heartbeatMs) * (1 + DRIFT) + TICK_MS + 50;
    while (cluster.now < healedAt + bound && healToServingMs === null) {
      cluster.runUntil(cluster.now + 10);
      if (checker.servingMembers().length > 0) healToServingMs = cluster.now - healedAt;
    }
    if (healToServingMs === null) checker.fail(`no master serving ${bound.toFixed(0)} ms after the network healed`);
    clients.stop();
    cluster.runUntil(cluster.now + 3000);
    checker.checkCommittedPrefixes();
  } catch (error) {
    if (!(error instanceof SimViolation)) throw error;
    return { seed: options.seed, violation: error.message, trace: cluster.traceText(), grantsTold: clients.oracle.grantsTold, healToServingMs };
  }
  return { seed: options.seed, violation: null, trace: cluster.traceText(), grantsTold: clients.oracle.grantsTold, healToServingMs };
}

function scheduleFaults(cluster: Cluster, chaosMs: number): void {
  const rng = cluster.rng;
  const anyRank = () => rng.pick(RANKS);
  const pair = (): [Rank, Rank] => {
    const a = anyRank();
    const b = rng.pick(RANKS.filter((rank) => rank !== a));
    return [a, b];
  };
  for (let t = rng.between(2000, 6000); t < chaosMs; t += rng.between(300, 4000)) {
    const kind = rng.int(0, 8);
    const duration = rng.between(200, 8000);
    cluster.at(t, () => {
      switch (kind) {
        case 0: {
          const rank = anyRank();
          const identity = rng.chance(0.1) ? OTHER_LICENSE : GOOD_IDENTITY;
          cluster.crash(rank);
          cluster.at(cluster.now + duration, () => cluster.start(rank, identity));
          return;
        }
        case 1: {
          const rank = anyRank();
          cluster.crash(rank);
          cluster.at(cluster.now + rng.between(50, 600), () => cluster.start(rank));
          return;
        }
        case 2: {
          const [a, b] = pair();
          cluster.cut(a, b);
          cluster.at(cluster.now + duration, () => cluster.heal(a, b));
          return;
        }
        case 3: {
          const rank = anyRank();
          const others = RANKS.filter((other) => other !== rank);
          for (const other of others) cluster.cut(rank, other);
          cluster.at(cluster.now + duration, () => others.forEach((other) => cluster.heal(rank, other)));
          return;
        }
        case 4: {
          const [from, to] = pair();
          cluster.cutOneWay(from, to);
          cluster.at(cluster.now + duration, () => cluster.heal(from, to));
          return;
        }
        case 5:
          cluster.cut(0, 1);
          cluster.at(cluster.now + duration, () => cluster.heal(0, 1));
          return;
        case 6:
          distributeLicense(cluster);
          return;
        default: {
          const minDelayMs = rng.between(1, 60);
          cluster.network = {
            lossRate: rng.chance(0.5) ? rng.between(0, 0.3) : 0,
            duplicateRate: rng.between(0, 0.1),
            minDelayMs,
            maxDelayMs: minDelayMs + rng.between(0, rng.chance(0.2) ? 900 : 120),
          };
          cluster.trace(`network ${JSON.stringify(cluster.network, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v))}`);
          cluster.at(cluster.now + duration, () => {
            cluster.network = calmNetwork;
            cluster.trace('network calm');
          });
          return;
        }
      }
    });
  }
}

/** An admin imports a new license file on the master, which distributes it to all three. */
function distributeLicense(cluster: Cluster): void {
  const master = RANKS.find((rank) => cluster.nodes[rank].machine?.canServe(cluster.localTime(rank)));
  if (master === undefined) return;
  const node = cluster.nodes[master];
  const version = cluster.licenseSwitches.size + 1;
  const identity: LicenseIdentity = { licenseHash: `hash-v${version}`, serverOrder: node.identity.serverOrder };
  cluster.licenseSwitches.add(`${node.identity.licenseHash}>${identity.licenseHash}`);
  cluster.trace(`${RANK_LETTER[master]} distributes license ${identity.licenseHash}`);
  const op = { kind: 'licenseSwitch' as const, payload: identity.licenseHash, identity, previous: node.identity };
  cluster.input(node, { type: 'clientOp', nowMs: cluster.localTime(master), requestId: `switch-${version}`, op });
}
