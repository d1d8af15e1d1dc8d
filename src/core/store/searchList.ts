/**
 * The client's license-server search list (Client/Server Configuration): the "Use license
 * server" flag and the ordered entries products try, Single (one host) or Redundant (the three
 * triad members in SERVER-line order). Input a person typed is validated here and comes back as
 * an error value that says what to fix.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { SettingsRepository } from './settings';

export interface ServerAddress {
  host: string;
  /** Null: the client probes the default ports 27000-27009 (`@host`). Single entries only. */
  port: number | null;
}

export type SearchEntryType = 'single' | 'redundant';

export interface SearchEntryInput {
  name: string;
  type: SearchEntryType;
  hosts: ServerAddress[];
}

export interface SearchEntry extends SearchEntryInput {
  id: number;
}

export type SearchListResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SearchListRepository {
  useLicenseServer(): boolean;
  setUseLicenseServer(on: boolean): void;
  /** In search order. */
  list(): SearchEntry[];
  /** Appends at the end of the search order. */
  add(input: SearchEntryInput): SearchListResult<SearchEntry>;
  /** Rename and/or change type and hosts (ports) of an entry. */
  update(id: number, changes: Partial<SearchEntryInput>): SearchListResult<SearchEntry>;
  remove(id: number): boolean;
  /** Moves an entry `delta` places (negative = earlier), clamped to the list; false if unknown. */
  move(id: number, delta: number): boolean;
  /** Import: replaces every entry, keeping the given order. Nothing changes when one is invalid. */
  replaceAll(inputs: readonly SearchEntryInput[]): SearchListResult<SearchEntry[]>;
}

const useLicenseServerKey = 'client.useLicenseServer';

const hostName = z
  .string()
  .trim()
  .min(1, 'host name is empty')
  .max(255, 'host name is longer than 255 characters')
  .regex(/^[^\s@,;]+$/, 'host name must not contain spaces, @, commas or semicolons');

const port = z.number().int('port must be a whole number').min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535');

const entrySchema = z
  .object({
    name: z.string().trim().min(1, 'name is empty').max(100, 'name is longer than 100 characters'),
    type: z.enum(['single', 'redundant']),
    hosts: z.array(z.object({ host: hostName, port: port.nullable() })),
  })
  .superRefine((entry, ctx) => {
    const expected = entry.type === 'single' ? 1 : 3;
    if (entry.hosts.length !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['hosts'],
        message:
          entry.type === 'single' ? 'a Single entry has exactly one server' : 'a Redundant entry has exactly three servers (primary, secondary, tertiary)',
      });
    }
    if (entry.type === 'redundant' && entry.hosts.some((h) => h.port === null)) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'every server of a Redundant entry needs a port (triad members are port@host)' });
    }
  });

function validate(input: unknown, label: string): SearchListResult<SearchEntryInput> {
  const parsed = entrySchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return { ok: false, error: `${label}: ${issues.join('; ')}.` };
}

interface Row {
  id: number;
  position: number;
  name: string;
  type: SearchEntryType;
  hosts: string;
}

const toEntry = (row: Row): SearchEntry => ({ id: row.id, name: row.name, type: row.type, hosts: JSON.parse(row.hosts) as ServerAddress[] });

export function createSearchListRepository(db: BetterSqlite3.Database, settings: SettingsRepository): SearchListRepository {
  const all = db.prepare<[], Row>('SELECT * FROM search_entries ORDER BY position, id');
  const one = db.prepare<[number], Row>('SELECT * FROM search_entries WHERE id = ?');
  const insert = db.prepare('INSERT INTO search_entries (position, name, type, hosts) VALUES (?, ?, ?, ?)');
  const updateRow = db.prepare('UPDATE search_entries SET name = ?, type = ?, hosts = ? WHERE id = ?');
  const setPosition = db.prepare('UPDATE search_entries SET position = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM search_entries WHERE id = ?');
  const clear = db.prepare('DELETE FROM search_entries');

  const list = (): SearchEntry[] => all.all().map(toEntry);
  const renumber = (ids: number[]): void => ids.forEach((id, position) => setPosition.run(position, id));
  const insertEntry = (entry: SearchEntryInput, position: number): SearchEntry => {
    const id = Number(insert.run(position, entry.name, entry.type, JSON.stringify(entry.hosts)).lastInsertRowid);
    return { id, ...entry };
  };

  const replaceAll = db.transaction((entries: SearchEntryInput[]) => {
    clear.run();
    return entries.map((entry, position) => insertEntry(entry, position));
  });
  const removeAndRenumber = db.transaction((id: number) => {
    const removed = del.run(id).changes > 0;
    if (removed) renumber(list().map((e) => e.id));
    return removed;
  });
  const moveEntry = db.transaction((id: number, delta: number) => {
    const ids = list().map((e) => e.id);
    const from = ids.indexOf(id);
    if (from < 0) return false;
    const to = Math.min(ids.length - 1, Math.max(0, from + Math.trunc(delta)));
    ids.splice(from, 1);
    ids.splice(to, 0, id);
    renumber(ids);
    return true;
  });

  return {
    useLicenseServer() {
      return settings.read(useLicenseServerKey, z.boolean(), false);
    },
    setUseLicenseServer(on) {
      settings.set(useLicenseServerKey, on);
    },
    list,
    add(input) {
      const valid = validate(input, `Server entry "${input.name}"`);
      if (!valid.ok) return valid;
      return { ok: true, value: insertEntry(valid.value, list().length) };
    },
    update(id, changes) {
      const row = one.get(id);
      if (!row) return { ok: false, error: `No server entry with id ${id}; list the entries and use one of their ids.` };
      const current = toEntry(row);
      const merged = { name: changes.name ?? current.name, type: changes.type ?? current.type, hosts: changes.hosts ?? current.hosts };
      const valid = validate(merged, `Server entry "${merged.name}"`);
      if (!valid.ok) return valid;
      updateRow.run(valid.value.name, valid.value.type, JSON.stringify(valid.value.hosts), id);
      return { ok: true, value: { id, ...valid.value } };
    },
    remove(id) {
      return removeAndRenumber(id);
    },
    move(id, delta) {
      return moveEntry(id, delta);
    },
    replaceAll(inputs) {
      const valid: SearchEntryInput[] = [];
      for (const [index, input] of inputs.entries()) {
        const result = validate(input, `Entry ${index + 1} ("${input.name}")`);
        if (!result.ok) return result;
        valid.push(result.value);
      }
      return { ok: true, value: replaceAll(valid) };
    },
  };
}
