import type { ClientEntry } from '../../../shared/contract';

/** An entry as LM_LICENSE_FILE writes it: `port@host`, `@host`, or a triad's three. */
export function describeEntry(entry: ClientEntry): string {
  return entry.hosts.map((h) => `${h.port ?? ''}@${h.host}`).join(',');
}
