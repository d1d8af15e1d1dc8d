import { Prng } from '../../test/sim/world/prng';
import { faults } from '../../test/support/faultProxy';
import { MEMBERS, type ChaosCluster, type Member } from './cluster';

/**
 * The nemesis: a seeded schedule of faults, one at a time, each followed by a heal and a quiet
 * spell in which the triad must recover. The seed fixes the kinds, durations and parameters;
 * which member "the master" is gets resolved when the step runs, from the observer.
 */

export type FaultKind = 'kill' | 'pause' | 'isolate' | 'oneWay' | 'cutPrimarySecondary' | 'slow' | 'lossy' | 'clientCut';

export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'oneWay', 'cutPrimarySecondary', 'slow', 'lossy', 'clientCut'];

export interface NemesisStep {
  kind: FaultKind;
  /** Hit the master (resolved at run time) or any member (`pick` chooses). */
  aimAtMaster: boolean;
  /** Uniform numbers fixed by the seed, to choose members at run time. */
  pick: [number, number];
  durationMs: number;
  quietMs: number;
  /** slow: delay ms; lossy: loss probability. */
  level: number;
}

/** How long each kind lasts: short enough that a held seat outlives it (see run.ts). */
const DURATION_MS: Record<FaultKind, [number, number]> = {
  kill: [1_000, 4_000],
  pause: [2_000, 6_000],
  isolate: [3_000, 8_000],
  oneWay: [3_000, 8_000],
  cutPrimarySecondary: [3_000, 8_000],
  slow: [3_000, 8_000],
  lossy: [3_000, 8_000],
  clientCut: [1_000, 2_500],
};

/** Steps until their planned time (fault + quiet) fills `budgetMs`; every kind appears early. */
export function nemesisSchedule(seed: number, budgetMs: number): NemesisStep[] {
  const prng = new Prng(seed);
  const order = [...FAULT_KINDS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const steps: NemesisStep[] = [];
  let planned = 0;
  for (let i = 0; ; i++) {
    const kind = i < order.length ? order[i] : prng.pick(FAULT_KINDS);
    const [low, high] = DURATION_MS[kind];
    const step: NemesisStep = {
      kind,
      aimAtMaster: kind === 'pause' || kind === 'clientCut' || prng.chance(0.6),
      pick: [prng.next(), prng.next()],
      durationMs: Math.round(prng.between(low, high)),
      quietMs: Math.round(prng.between(2_000, 4_000)),
      level: kind === 'slow' ? Math.round(prng.between(30, 200)) : kind === 'lossy' ? prng.between(0.05, 0.3) : 0,
    };
    planned += step.durationMs + step.quietMs;
    if (planned > budgetMs && steps.length > 0) return steps;
    steps.push(step);
  }
}

export interface AppliedFault {
  kind: FaultKind;
  description: string;
  heal: () => Promise<void>;
}

/** Puts one step's fault on the cluster; `heal` undoes it (restart, SIGCONT, links back to pass). */
export async function applyStep(step: NemesisStep, cluster: ChaosCluster, master: Member | null): Promise<AppliedFault> {
  const any = (u: number): Member => Math.min(2, Math.floor(u * 3)) as Member;
  const target: Member = step.aimAtMaster && master !== null ? master : any(step.pick[0]);
  const others = ([0, 1, 2] as Member[]).filter((m) => m !== target);
  const other = others[step.pick[1] < 0.5 ? 0 : 1];
  const name = (m: Member) => MEMBERS[m] + (m === master ? ' (master)' : '');
  const healLinks = async () => cluster.healAll();
  switch (step.kind) {
    case 'kill':
      await cluster.kill(target);
      return { kind: step.kind, description: `SIGKILL ${name(target)}, restart after ${step.durationMs} ms`, heal: () => cluster.startMember(target) };
    case 'pause':
      cluster.pause(target);
      return { kind: step.kind, description: `SIGSTOP ${name(target)} for ${step.durationMs} ms`, heal: async () => cluster.resume(target) };
    case 'isolate':
      cluster.setClientLink(target, faults.drop());
      for (const peer of others) cluster.setPeerLink(target, peer, faults.drop());
      return { kind: step.kind, description: `partition ${name(target)} from everyone for ${step.durationMs} ms`, heal: healLinks };
    case 'oneWay': {
      // the pair includes the target; which way is open is part of the seed
      const [from, to] = step.pick[1] < 0.5 ? [target, other] : [other, target];
      cluster.setOneWay(from, to);
      return { kind: step.kind, description: `one-way link ${name(from)} -> ${name(to)} (replies cut) for ${step.durationMs} ms`, heal: healLinks };
    }
    case 'cutPrimarySecondary':
      cluster.setPeerLink(0, 1, faults.drop());
      return { kind: step.kind, description: `cut P <-> S, both still reach T, for ${step.durationMs} ms`, heal: healLinks };
    case 'slow':
      cluster.setAllLinks(faults.slow(20_000, step.level));
      return { kind: step.kind, description: `all links slow (${step.level} ms, 20 kB/s) for ${step.durationMs} ms`, heal: healLinks };
    case 'lossy':
      cluster.setAllLinks(faults.lossy(step.level, step.level / 30));
      return { kind: step.kind, description: `all links lossy (${(step.level * 100).toFixed(0)}% stalls) for ${step.durationMs} ms`, heal: healLinks };
    case 'clientCut':
      cluster.setClientLink(target, faults.drop());
      return { kind: step.kind, description: `clients cut from ${name(target)} for ${step.durationMs} ms`, heal: healLinks };
  }
}
