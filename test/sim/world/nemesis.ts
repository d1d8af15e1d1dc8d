import { RANKS, type Rank } from '../../../src/core/quorum';
import { HOST_IDS } from './licenses';
import { calmNetwork } from './network';
import type { TriadWorld } from './triadWorld';

/**
 * The seeded fault schedule: every fault kind of issue 14, at random moments and on random
 * members. The fault model is the one the triad promises to survive: any number of crashes,
 * pauses, clock steps, cuts and bad links at once, but at most one member with lost state (a
 * wiped or restored disk) until it has caught up again; two lost disks at once lose what only
 * they held, which no quorum of three can prevent.
 */

export const FAULT_KINDS = [
  'crash',
  'quickRestart',
  'cut',
  'isolate',
  'oneWay',
  'primarySecondaryCut',
  'distribute',
  'badNetwork',
  'wipeDisk',
  'restoreDisk',
  'writeFailure',
  'slowDisk',
  'pause',
  'clockStep',
  'importOnOne',
  'drift',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function scheduleFaults(triad: TriadWorld, chaosMs: number, kinds: readonly FaultKind[] = FAULT_KINDS): void {
  const world = triad.world;
  const rng = world.rng;
  const anyRank = () => rng.pick(RANKS);
  const pair = (): [Rank, Rank] => {
    const a = anyRank();
    return [a, rng.pick(RANKS.filter((rank) => rank !== a))];
  };
  // copies of every disk, to restore later
  for (let t = 1000; t < chaosMs; t += 3000) world.at(t + rng.between(0, 2000), () => triad.members.forEach((member) => member.running && member.backUp()));
  for (let t = rng.between(2000, 6000); t < chaosMs; t += rng.between(300, 3000)) {
    const kind = rng.pick(kinds);
    const duration = rng.between(200, 8000);
    world.at(t, () => {
      const later = (run: () => void) => world.at(world.now + duration, run);
      switch (kind) {
        case 'crash': {
          const member = triad.member(anyRank());
          member.crash();
          later(() => member.start());
          return;
        }
        case 'quickRestart': {
          const member = triad.member(anyRank());
          member.crash();
          world.at(world.now + rng.between(50, 600), () => member.start());
          return;
        }
        case 'cut': {
          const [a, b] = pair();
          triad.network.cut(a, b);
          later(() => triad.network.heal(a, b));
          return;
        }
        case 'isolate': {
          const rank = anyRank();
          const others = RANKS.filter((other) => other !== rank);
          for (const other of others) triad.network.cut(rank, other);
          later(() => others.forEach((other) => triad.network.heal(rank, other)));
          return;
        }
        case 'oneWay': {
          const [from, to] = pair();
          triad.network.cutOneWay(from, to);
          later(() => triad.network.heal(from, to));
          return;
        }
        case 'primarySecondaryCut':
          triad.network.cut(0, 1);
          later(() => triad.network.heal(0, 1));
          return;
        case 'distribute': {
          const seats = triad.licenses.get(1).seats + rng.int(0, 2);
          // now and then an admin tries a file whose SERVER lines are in another order: refused
          triad.distribute(seats, rng.chance(0.2) ? [HOST_IDS[1], HOST_IDS[0], HOST_IDS[2]] : undefined);
          return;
        }
        case 'badNetwork': {
          const minDelayMs = rng.between(1, 60);
          triad.network.conditions = {
            lossRate: rng.chance(0.5) ? rng.between(0, 0.3) : 0,
            duplicateRate: rng.between(0, 0.1),
            minDelayMs,
            maxDelayMs: minDelayMs + rng.between(0, rng.chance(0.2) ? 900 : 120),
          };
          world.trace(`network ${JSON.stringify(triad.network.conditions, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v))}`);
          later(() => {
            triad.network.conditions = calmNetwork;
            world.trace('network calm');
          });
          return;
        }
        case 'wipeDisk':
        case 'restoreDisk': {
          const member = triad.member(anyRank());
          if (!triad.mayLoseState(member)) return;
          member.crash();
          if (kind === 'wipeDisk') member.wipeDisk();
          else if (!member.restoreBackup()) member.wipeDisk();
          later(() => member.start());
          return;
        }
        case 'writeFailure': {
          const member = triad.member(anyRank());
          member.writeFault = rng.chance(0.5) ? 'lost' : 'unsynced';
          // the member stops by itself; an admin starts it again
          later(() => member.start());
          return;
        }
        case 'slowDisk': {
          const member = triad.member(anyRank());
          member.diskLatencyMs = rng.between(5, 400);
          world.trace(`${member.letter} disk slow (${member.diskLatencyMs.toFixed(0)} ms per commit)`);
          later(() => {
            member.diskLatencyMs = 0;
            world.trace(`${member.letter} disk fast again`);
          });
          return;
        }
        case 'pause': {
          const member = triad.member(anyRank());
          if (!member.running) return;
          member.pausedUntil = world.now + duration;
          world.trace(`${member.letter} paused for ${duration.toFixed(0)} ms`);
          return;
        }
        case 'clockStep': {
          const member = triad.member(anyRank());
          const step = (rng.chance(0.5) ? -1 : 1) * rng.between(1000, rng.chance(0.3) ? 600_000 : 60_000);
          member.clock.stepWall(step);
          world.trace(`${member.letter} wall clock stepped ${(step / 1000).toFixed(1)} s`);
          return;
        }
        case 'importOnOne':
          triad.importOn(anyRank(), triad.licenses.get(1).seats);
          return;
        case 'drift': {
          const member = triad.member(anyRank());
          member.clock.rate = 1 + rng.between(-0.5, 0.5) * triad.settings.driftBound;
          world.trace(`${member.letter} clock rate now ${member.clock.rate.toFixed(5)}`);
          return;
        }
      }
    });
  }
}
