import { Prng } from '../../test/sim/world/prng';
import { faults } from '../../test/support/faultProxy';
import { MEMBERS, type ChaosCluster, type Member, type ProxyNetwork } from './cluster';
import { restoreDatabase, wipeDatabase, type DatabaseSnapshots } from './disk';
import { SERVER_SET_CHANGES, type RuntimeImports } from './imports';
import type { ReportLogTail } from './reportTail';
import type { MemberClocks } from './wallClock';

/**
 * The nemesis: a seeded schedule of faults, one at a time, each followed by a heal and a quiet
 * spell in which the triad must recover. The seed fixes the kinds, durations and parameters;
 * which member "the master" is gets resolved when the step runs, from the observer.
 *
 * Issue 7's kinds (CLASSIC_KINDS) act on processes and links; issue 14 added wall-clock steps
 * (a member's clock stepped forward or back, sometimes left stepped so a later restart keeps it;
 * and the master cut from its peers while its clock steps back), disk wipes and rollbacks, and
 * run-time imports (counts, and SERVER-line changes that must be refused).
 */

export type FaultKind =
  | 'kill'
  | 'pause'
  | 'isolate'
  | 'oneWay'
  | 'cutPrimarySecondary'
  | 'slow'
  | 'lossy'
  | 'clientCut'
  | 'clockStep'
  | 'clockStepCut'
  | 'wipe'
  | 'rollback'
  | 'importCount'
  | 'importServers';

export const CLASSIC_KINDS: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'oneWay', 'cutPrimarySecondary', 'slow', 'lossy', 'clientCut'];
export const FAULT_KINDS: readonly FaultKind[] = [...CLASSIC_KINDS, 'clockStep', 'clockStepCut', 'wipe', 'rollback', 'importCount', 'importServers'];
/** Kinds that step member clocks (they need libfaketime; wipe and rollback step them when it is there). */
export const CLOCK_KINDS: readonly FaultKind[] = ['clockStep', 'clockStepCut'];
/** Kinds that need the members' admin API (the headless host). */
export const IMPORT_KINDS: readonly FaultKind[] = ['importCount', 'importServers'];

export interface NemesisStep {
  kind: FaultKind;
  /** Hit the master (resolved at run time) or any member (`pick` chooses). */
  aimAtMaster: boolean;
  /** Uniform numbers fixed by the seed, to choose members, copies, counts at run time. */
  pick: [number, number];
  durationMs: number;
  quietMs: number;
  /** slow: delay ms; lossy: loss probability; clock kinds: the clock step, ms (0: none). */
  level: number;
  /** clockStep: the clock stays stepped after the heal (a later restart comes back with it). */
  persist?: boolean;
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
  clockStep: [3_000, 15_000],
  clockStepCut: [4_000, 10_000],
  // down time before the restart
  wipe: [1_000, 4_000],
  rollback: [1_000, 4_000],
  // time for the switch to settle
  importCount: [1_000, 3_000],
  importServers: [1_000, 3_000],
};

/** A clock step of one second to five minutes, either way, spread evenly over the magnitudes. */
function clockStepMs(prng: Prng): number {
  const seconds = Math.round(10 ** prng.between(0, Math.log10(300)));
  return (prng.chance(0.5) ? 1 : -1) * seconds * 1000;
}

function levelFor(kind: FaultKind, prng: Prng): number {
  switch (kind) {
    case 'slow':
      return Math.round(prng.between(30, 200));
    case 'lossy':
      return prng.between(0.05, 0.3);
    case 'clockStep':
      return clockStepMs(prng);
    case 'clockStepCut':
      // back, as in issue 14's finding 1
      return -Math.round(prng.between(5, 60)) * 1000;
    case 'wipe':
    case 'rollback':
      // sometimes the machine comes back with its clock off
      return prng.chance(0.4) ? clockStepMs(prng) : 0;
    default:
      return 0;
  }
}

/**
 * Steps until their planned time (fault + quiet) fills `budgetMs`; every kind of `kinds` appears
 * early. The same seed and kinds give the same schedule (issue 7's kinds draw exactly as before).
 */
export function nemesisSchedule(seed: number, budgetMs: number, kinds: readonly FaultKind[] = FAULT_KINDS): NemesisStep[] {
  const prng = new Prng(seed);
  const order = [...kinds];
  for (let i = order.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const steps: NemesisStep[] = [];
  let planned = 0;
  for (let i = 0; ; i++) {
    const kind = i < order.length ? order[i] : prng.pick(kinds);
    const [low, high] = DURATION_MS[kind];
    const step: NemesisStep = {
      kind,
      aimAtMaster:
        kind === 'pause' || kind === 'clientCut' || kind === 'clockStepCut' || kind === 'importCount' || kind === 'importServers' || prng.chance(0.6),
      pick: [prng.next(), prng.next()],
      durationMs: Math.round(prng.between(low, high)),
      quietMs: Math.round(prng.between(2_000, 4_000)),
      level: levelFor(kind, prng),
      ...(kind === 'clockStep' ? { persist: prng.chance(0.3) } : {}),
    };
    planned += step.durationMs + step.quietMs;
    if (planned > budgetMs && steps.length > 0) return steps;
    steps.push(step);
  }
}

export interface AppliedFault {
  kind: FaultKind;
  description: string;
  /** Undoes the fault (restart, SIGCONT, links back to pass); a returned text is a violation. */
  heal: () => Promise<string | void>;
  /** Set when applying the fault already showed a violation. */
  violation?: string;
}

/** What the nemesis acts on besides the processes and links. */
export interface NemesisContext {
  cluster: ChaosCluster<ProxyNetwork>;
  /** Null when the run has no clock kinds (no libfaketime needed). */
  clocks: MemberClocks | null;
  snapshots: DatabaseSnapshots;
  tail: ReportLogTail;
  imports: RuntimeImports;
  master: Member | null;
}

/** Keeps stepped clocks within ten minutes of real time. */
const MAX_OFFSET_MS = 600_000;

function boundedStep(clocks: MemberClocks, m: Member, stepMs: number): number {
  const offset = clocks.offsetMs(m);
  return Math.abs(offset + stepMs) > MAX_OFFSET_MS ? -stepMs : stepMs;
}

function seconds(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${Math.round(ms / 1000)} s`;
}

/** Restarts a member after a fault; a member that cannot serve again is a violation. */
async function restart(ctx: NemesisContext, m: Member, after: string): Promise<string | void> {
  try {
    const started = await ctx.cluster.startMember(m);
    if (!started.serving) return `${MEMBERS[m]} did not serve again after ${after}: ${started.line}`;
  } catch (error) {
    return `${MEMBERS[m]} could not start again after ${after}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Puts one step's fault on the cluster; `heal` undoes it. */
export async function applyStep(step: NemesisStep, ctx: NemesisContext): Promise<AppliedFault> {
  const { cluster, master } = ctx;
  const network = cluster.network;
  const any = (u: number): Member => Math.min(2, Math.floor(u * 3)) as Member;
  const target: Member = step.aimAtMaster && master !== null ? master : any(step.pick[0]);
  const others = ([0, 1, 2] as Member[]).filter((m) => m !== target);
  const other = others[step.pick[1] < 0.5 ? 0 : 1];
  const name = (m: Member) => MEMBERS[m] + (m === master ? ' (master)' : '');
  const healLinks = async () => network.healAll();
  const clocks = () => {
    if (!ctx.clocks) throw new Error(`${step.kind} needs member clocks (libfaketime)`);
    return ctx.clocks;
  };
  /** The clock change a restarted member comes back with, if the step has one and clocks are on. */
  const clockWhileDown = () => {
    if (step.level === 0 || !ctx.clocks) return '';
    const stepMs = boundedStep(clocks(), target, step.level);
    clocks().step(target, stepMs);
    return `, its clock ${seconds(stepMs)} while down`;
  };
  switch (step.kind) {
    case 'kill':
      await cluster.kill(target);
      return { kind: step.kind, description: `SIGKILL ${name(target)}, restart after ${step.durationMs} ms`, heal: () => restart(ctx, target, 'SIGKILL') };
    case 'pause':
      cluster.pause(target);
      return { kind: step.kind, description: `SIGSTOP ${name(target)} for ${step.durationMs} ms`, heal: async () => cluster.resume(target) };
    case 'isolate':
      network.setClientLink(target, faults.drop());
      for (const peer of others) network.setPeerLink(target, peer, faults.drop());
      return { kind: step.kind, description: `partition ${name(target)} from everyone for ${step.durationMs} ms`, heal: healLinks };
    case 'oneWay': {
      // the pair includes the target; which way is open is part of the seed
      const [from, to] = step.pick[1] < 0.5 ? [target, other] : [other, target];
      network.setOneWay(from, to);
      return { kind: step.kind, description: `one-way link ${name(from)} -> ${name(to)} (replies cut) for ${step.durationMs} ms`, heal: healLinks };
    }
    case 'cutPrimarySecondary':
      network.setPeerLink(0, 1, faults.drop());
      return { kind: step.kind, description: `cut P <-> S, both still reach T, for ${step.durationMs} ms`, heal: healLinks };
    case 'slow':
      network.setAllLinks(faults.slow(20_000, step.level));
      return { kind: step.kind, description: `all links slow (${step.level} ms, 20 kB/s) for ${step.durationMs} ms`, heal: healLinks };
    case 'lossy':
      network.setAllLinks(faults.lossy(step.level, step.level / 30));
      return { kind: step.kind, description: `all links lossy (${(step.level * 100).toFixed(0)}% stalls) for ${step.durationMs} ms`, heal: healLinks };
    case 'clientCut':
      network.setClientLink(target, faults.drop());
      return { kind: step.kind, description: `clients cut from ${name(target)} for ${step.durationMs} ms`, heal: healLinks };
    case 'clockStep': {
      const stepMs = boundedStep(clocks(), target, step.level);
      clocks().step(target, stepMs);
      const description = `wall clock of ${name(target)} stepped ${seconds(stepMs)} (now ${seconds(clocks().offsetMs(target))} off) for ` +
        `${step.durationMs} ms${step.persist ? ', then left stepped' : ''}`;
      const heal = async () => {
        if (!step.persist) clocks().step(target, -stepMs);
      };
      return { kind: step.kind, description, heal };
    }
    case 'clockStepCut': {
      // issue 14, finding 1: the master loses both peers at the moment its clock steps back
      for (const peer of others) network.setPeerLink(target, peer, faults.drop());
      clocks().step(target, step.level);
      return {
        kind: step.kind,
        description: `${name(target)} cut from both peers (clients still reach it) and its wall clock stepped ${seconds(step.level)} at once, for ` +
          `${step.durationMs} ms`,
        heal: async () => {
          network.healAll();
          clocks().step(target, -step.level);
        },
      };
    }
    case 'wipe': {
      await cluster.kill(target);
      ctx.tail.replaceDatabase(target);
      wipeDatabase(cluster.dataDirs[target]);
      const description = `SIGKILL ${name(target)}, delete its database, restart after ${step.durationMs} ms${clockWhileDown()}`;
      return { kind: step.kind, description, heal: () => restart(ctx, target, 'its database was deleted') };
    }
    case 'rollback': {
      const copies = ctx.snapshots.of(target);
      await cluster.kill(target);
      if (copies.length === 0) {
        return {
          kind: step.kind,
          description: `SIGKILL ${name(target)} (no copy of its database yet to roll back to), restart after ${step.durationMs} ms`,
          heal: () => restart(ctx, target, 'SIGKILL'),
        };
      }
      const copy = copies[Math.min(copies.length - 1, Math.floor(step.pick[1] * copies.length))];
      ctx.tail.replaceDatabase(target);
      restoreDatabase(cluster.dataDirs[target], copy.file);
      const age = ((Date.now() - copy.atMs) / 1000).toFixed(1);
      const description = `SIGKILL ${name(target)}, put back its database copy from ${age} s ago, restart after ${step.durationMs} ms${clockWhileDown()}`;
      return { kind: step.kind, description, heal: () => restart(ctx, target, `its database was rolled back ${age} s`) };
    }
    case 'importCount': {
      if (master === null) return { kind: step.kind, description: 'no master to import a license on: skipped', heal: async () => {} };
      const current = ctx.imports.seats;
      // 2 to 8 seats, never the count in force
      let count = 2 + Math.floor(step.pick[1] * 7);
      if (count === current) count = count === 8 ? 2 : count + 1;
      const outcome = await ctx.imports.changeCount(master, count);
      return { kind: step.kind, description: outcome.description, heal: async () => {} };
    }
    case 'importServers': {
      if (master === null) return { kind: step.kind, description: 'no master to import a license on: skipped', heal: async () => {} };
      const change = SERVER_SET_CHANGES[Math.min(SERVER_SET_CHANGES.length - 1, Math.floor(step.pick[1] * SERVER_SET_CHANGES.length))];
      const outcome = await ctx.imports.changeServers(master, change);
      return { kind: step.kind, description: outcome.description, heal: async () => {}, ...(outcome.violation ? { violation: outcome.violation } : {}) };
    }
  }
}
