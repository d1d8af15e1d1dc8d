import { z } from 'zod';
import type { LicenseFile } from '../license';
import type { Store } from '../store';
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
const membersSchema = z.array(z.string()).length(3);

export const MIGRATION_HELP =
  'To replace one server, stop all three, run `triad replace-server -c NEW.lic --data DIR` on the two that remain and start the new one with an empty ' +
    'data folder; ' +
  'to reorder or change more SERVER lines, stop all three and run `triad quorum-reset --yes --data DIR` on each (seats held are forgotten; clients check ' +
    'out again). See "Replace a server" in the README.';

export function recordedMembers(store: Store): readonly string[] | null {
  return store.settings.read(MEMBERS_KEY, membersSchema, null);
}

const listed = (keys: readonly string[]) => keys.join(', ');

/**
 * At start: the file's members must be the ones this store was formed with (the first start
 * records them). Returns a refusal in words, or null.
 */
export function checkMembers(store: Store, file: LicenseFile, licensePath: string): string | null {
  const keys = memberKeysOf(file);
  const recorded = recordedMembers(store);
  if (recorded === null) {
    store.settings.set(MEMBERS_KEY, [...keys]);
    return null;
  }
  if (recorded.every((key, i) => key === keys[i])) return null;
  return `${licensePath}: its SERVER lines name the members ${listed(keys)}, but this server's triad was formed with ${listed(recorded)} (host ids in ` +
    `SERVER-line order). ${MIGRATION_HELP}`;
}

/** `triad replace-server`: one SERVER line of the file differs from the recorded members, in place. */
export function replaceServer(store: Store, file: LicenseFile): { ok: true; message: string } | { ok: false; message: string } {
  if (file.servers.length !== 3) return { ok: false, message: `the new license file has ${file.servers.length} SERVER line(s); a triad needs three.` };
  const keys = memberKeysOf(file);
  const recorded = recordedMembers(store);
  if (recorded === null)
    return { ok: false, message: 'this data folder has no triad members recorded (it never ran as a triad member): start it with the new file instead.' };
  const changed = keys.flatMap((key, i) => (key === recorded[i] ? [] : [i]));
  if (changed.length === 0) return { ok: false, message: 'the new license file names the same three members: nothing to replace.' };
  if (changed.length > 1 || recorded.includes(keys[changed[0]])) {
    return {
      ok: false,
      message: `the new license file changes more than one SERVER line, or reorders them (${listed(recorded)} -> ${listed(keys)}). ${MIGRATION_HELP}`,
    };
  }
  const position = changed[0];
  store.settings.set(MEMBERS_KEY, [...keys]);
  return {
    ok: true,
    message: `SERVER line ${position + 1} (${file.servers[position].host}) now names ${keys[position]} instead of ${recorded[position]}; this server ` +
      `keeps its seats and log.`,
  };
}

/** `triad quorum-reset`: forget the triad (quorum state, log, seats, members), so the three form a new one. */
export function resetQuorum(store: Store): void {
  store.transaction(() => {
    store.quorum.truncateFrom(1);
    store.quorum.reset();
    store.leases.replaceAll([]);
    store.settings.delete(MEMBERS_KEY);
  });
}
