import { z } from 'zod';
import type { TriadMembership } from '../../../shared/contract';
import type { ServerStatus } from '../../../shared/status';
import { describeMachine, replacementSteps, type PendingReplacement, type TriadMachine } from '../../../shared/triadReplacement';
import type { Diagnostic, LicenseFile } from '../../license';
import type { Store } from '../../store';
import { memberKeysOf } from './peerConfig';

/**
 * Which three machines a triad member belongs with, kept in its store: the member host ids (in
 * SERVER-line order) it first ran with. Ranks and votes are tied to these machines, so a license
 * file that reorders or replaces SERVER lines is refused at start, at lmreread and when
 * distributed; changing them is a migration the administrator runs on purpose:
 *
 * - replace one server (a machine died): `triad replace-server` on the two that remain, with the
 *   new license file; they keep their seats and log, the new machine starts with an empty data
 *   folder and catches up as a learner;
 * - anything else (reordering, two or three new machines): `triad quorum-reset` on all three,
 *   which forgets the triad (its seats and log), so the three form a new one.
 */

const MEMBERS_KEY = 'triad.members';
/** Each member's host and host id as its SERVER line wrote them when last accepted: a key may be a bare, normalised host id. */
const MEMBER_MACHINES_KEY = 'triad.memberMachines';
/** The last replacement done here, until the other members are done too (replacementSteps). */
const REPLACEMENT_KEY = 'triad.replacement';
const membersSchema = z.array(z.string()).length(3);
const machineSchema = z.object({ host: z.string().nullable(), hostid: z.string() });
const machinesSchema = z.array(machineSchema).length(3);

export const MIGRATION_HELP =
  'To replace one server, stop all three, run `triad replace-server -c NEW.lic --data DIR` on the two that remain and start the new one with an empty ' +
    'data folder; ' +
  'to reorder or change more SERVER lines, stop all three and run `triad quorum-reset --yes --data DIR` on each (seats held are forgotten; clients check ' +
    'out again). See "Replace a server" in the README.';

export function recordedMembers(store: Store): readonly string[] | null {
  return store.settings.read(MEMBERS_KEY, membersSchema, null);
}

/** A machine a triad names: the host of its SERVER line (null when only its host id was recorded) and its host id. */
export type MemberMachine = TriadMachine;

/**
 * A triad file's SERVER lines beside the members this store's triad was formed with:
 * `unformed` (nothing recorded: the first start records them), `same`, `replace-one` (one line
 * names a machine that was no member, in place: `triad replace-server` applies) or `other`
 * (reordered, or more than one new machine: only `triad quorum-reset` serves it).
 */
export interface MemberComparison {
  kind: 'unformed' | 'same' | 'replace-one' | 'other';
  /** By SERVER line: the machine the file names there, and the one recorded there (null when unformed). */
  lines: { now: MemberMachine; recorded: MemberMachine | null }[];
  /** Positions (0-2) of the lines that name another machine than the one recorded there. */
  changed: number[];
}

export function compareMembers(store: Store, file: LicenseFile): MemberComparison {
  const keys = memberKeysOf(file);
  const recorded = recordedMembers(store);
  const machines = store.settings.read(MEMBER_MACHINES_KEY, machinesSchema, null);
  const lines = file.servers.slice(0, 3).map((server, i) => ({
    now: { host: server.host, hostid: server.hostid },
    recorded: recorded ? (machines?.[i] ?? machineOf(recorded[i]!)) : null,
  }));
  if (recorded === null) return { kind: 'unformed', lines, changed: [] };
  const changed = keys.flatMap((key, i) => (key === recorded[i] ? [] : [i]));
  const kind = changed.length === 0 ? 'same' : changed.length === 1 && !recorded.includes(keys[changed[0]!]) ? 'replace-one' : 'other';
  return { kind, lines, changed };
}

/** A recorded key is the host id, or `host/hostid` when the host ids do not tell the three apart (memberKeysOf). */
function machineOf(key: string): MemberMachine {
  const slash = key.indexOf('/');
  return slash < 0 ? { host: null, hostid: key } : { host: key.slice(0, slash), hostid: key.slice(slash + 1) };
}

const RANKS = ['primary', 'secondary', 'tertiary'] as const;

/** `SERVER line 3 (tertiary): lic3 (host id …) -> lic4 (host id …)`, one per changed line. */
export function describeChanges(comparison: MemberComparison): string {
  return comparison.changed
    .map((i) => {
      const { now, recorded } = comparison.lines[i]!;
      return `SERVER line ${i + 1} (${RANKS[i]}): ${recorded ? describeMachine(recorded) : 'none'} -> ${describeMachine(now)}`;
    })
    .join('; ');
}

/** The comparison as the admin screens show it, with what serves the file in words. */
export function membershipView(comparison: MemberComparison, fileName: string): TriadMembership {
  return {
    fileName,
    change: comparison.kind,
    lines: comparison.lines.map((line, i) => ({ position: i + 1, rank: RANKS[i]!, ...line, changed: comparison.changed.includes(i) })),
    summary: membershipSummary(comparison),
  };
}

function membershipSummary(comparison: MemberComparison): string {
  switch (comparison.kind) {
    case 'unformed':
      return 'This server has not run as a member of a triad yet: its first start records these three machines as the members.';
    case 'same':
      return 'The SERVER lines name the machines this triad was formed with.';
    case 'replace-one':
      return `${describeChanges(comparison)}: a new machine in place of a member. "Replace a server" with this file serves it here, and this ` +
        'server keeps its seats and log. Do the same on the other server that stays (until both have the file they refuse each other), then ' +
        'start the new machine with the file and an empty data folder: it catches up from the master and then votes.';
    case 'other':
      return `${describeChanges(comparison)}: the lines are reordered, or name more than one new machine. Only \`triad quorum-reset --yes\` on ` +
        'all three servers, stopped, serves this file: each forgets the seats held (clients check out again), and the three form a new triad.';
  }
}

/** The License files check: a file that changes the triad's members is refused before it is written. */
export function membershipDiagnostic(comparison: MemberComparison, file: LicenseFile): Diagnostic | null {
  if (comparison.kind !== 'replace-one' && comparison.kind !== 'other') return null;
  return {
    severity: 'error',
    file: file.fileName,
    line: file.servers[comparison.changed[0]!]?.line ?? 1,
    column: 1,
    message: `its SERVER lines name other machines than this server's triad was formed with (${describeChanges(comparison)}): the members of a ` +
      'triad are never moved, reordered or replaced by an import',
    hint: comparison.kind === 'replace-one'
      ? 'use "Replace a server…" with this file (or `triad replace-server` while stopped) on both servers that stay; to reorder or change more ' +
        'SERVER lines, `triad quorum-reset --yes` on all three; see "Replace a server" in the README'
      : 'stop all three and run `triad quorum-reset --yes --data DIR` on each (the seats held are forgotten), then start them with this file; see ' +
        '"Replace a server" in the README',
  };
}

function record(store: Store, file: LicenseFile): void {
  store.settings.set(MEMBERS_KEY, [...memberKeysOf(file)]);
  store.settings.set(
    MEMBER_MACHINES_KEY,
    file.servers.map((server) => ({ host: server.host, hostid: server.hostid })),
  );
}

/**
 * At start: the file's members must be the ones this store was formed with (the first start
 * records them; host names may change, so each accepted start records them again). Returns a
 * refusal in words, or null.
 */
export function checkMembers(store: Store, file: LicenseFile, licensePath: string): string | null {
  const comparison = compareMembers(store, file);
  if (comparison.kind === 'unformed' || comparison.kind === 'same') {
    record(store, file);
    return null;
  }
  return `${licensePath}: its SERVER lines name other members than this server's triad was formed with (${describeChanges(comparison)}). ` +
    `${MIGRATION_HELP}`;
}

/** Why `file` cannot replace one member of this store's triad (null: it can), in the words `triad replace-server` and the admin screens use. */
export function replacementRefusal(store: Store, file: LicenseFile): string | null {
  if (file.servers.length !== 3) return `the new license file has ${file.servers.length} SERVER line(s); a triad needs three.`;
  const comparison = compareMembers(store, file);
  switch (comparison.kind) {
    case 'unformed':
      return 'this data folder has no triad members recorded (it never ran as a triad member): start it with the new file instead.';
    case 'same':
      return 'the new license file names the same three members: nothing to replace.';
    case 'other':
      return `the new license file changes more than one SERVER line, or reorders them (${describeChanges(comparison)}). ${MIGRATION_HELP}`;
    case 'replace-one':
      return null;
  }
}

/**
 * `triad replace-server`: one SERVER line of the file names a new machine in place of a member.
 * Records the file's members, and the replacement until the other two are done too.
 */
export function replaceServer(
  store: Store,
  file: LicenseFile,
  nowMs: number,
): { ok: true; message: string; replacement: PendingReplacement } | { ok: false; message: string } {
  const refusal = replacementRefusal(store, file);
  if (refusal !== null) return { ok: false, message: refusal };
  const comparison = compareMembers(store, file);
  const position = comparison.changed[0]!;
  const line = comparison.lines[position]!;
  const replacement: PendingReplacement = { atMs: nowMs, position: position + 1, rank: RANKS[position]!, from: line.recorded!, to: line.now };
  store.transaction(() => {
    record(store, file);
    store.settings.set(REPLACEMENT_KEY, replacement);
  });
  return { ok: true, message: `${describeChanges(comparison)}: this server keeps its seats and log.`, replacement };
}

const replacementSchema = z.object({
  atMs: z.number(),
  position: z.number().int().min(1).max(3),
  rank: z.enum(RANKS),
  from: machineSchema,
  to: machineSchema,
});

/** The last replacement done here, while the other members still have steps left; null otherwise. */
export function pendingReplacement(store: Store): PendingReplacement | null {
  return store.settings.read(REPLACEMENT_KEY, replacementSchema.nullable(), null);
}

/** Forgets the replacement once `status` shows every step done (the triad is whole again). */
export function forgetReplacementWhenDone(store: Store, status: ServerStatus): void {
  const pending = pendingReplacement(store);
  if (pending && replacementSteps(pending, status).every((step) => step.done)) store.settings.delete(REPLACEMENT_KEY);
}

/** `triad quorum-reset`: forget the triad (quorum state, log, seats, members), so the three form a new one. */
export function resetQuorum(store: Store): void {
  store.transaction(() => {
    store.quorum.truncateFrom(1);
    store.quorum.reset();
    store.leases.replaceAll([]);
    store.settings.delete(MEMBERS_KEY);
    store.settings.delete(MEMBER_MACHINES_KEY);
    store.settings.delete(REPLACEMENT_KEY);
  });
}
