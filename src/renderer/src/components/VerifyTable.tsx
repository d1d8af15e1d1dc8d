import { Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { ClientEntry, VerifyMember, VerifyResult } from '../../../shared/contract';
import { Breakable } from './Breakable';
import { describeEntry } from './describeEntry';

/** One server of the entry: `primary 27000@a: up, MASTER, 0.8 ms`, or down and why. */
function memberLine(member: VerifyMember, rank: string | null): string {
  const who = `${rank ? `${rank} ` : ''}${member.port}@${member.host}`;
  if (!member.up) return `${who}: down (${member.problem ?? 'no answer'})`;
  const rtt = member.roundTripMs === null ? '' : `, ${member.roundTripMs.toFixed(1)} ms`;
  return `${who}: up${member.master ? ', MASTER' : ''}${rtt}${member.problem ? ` (${member.problem})` : ''}`;
}

const ranks = ['primary', 'secondary', 'tertiary'];

/** Verify's answer per entry: each server up or down, who is master, the round trip, what it serves. */
export function VerifyTable({ results, entries }: { results: VerifyResult[]; entries: ClientEntry[] }) {
  return (
    <>
      <Subtitle2 as="h3">Verify</Subtitle2>
      <Table aria-label="Verify results" size="small" data-testid="verify-results" className="fit-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Entry</TableHeaderCell>
            <TableHeaderCell>Answers</TableHeaderCell>
            <TableHeaderCell>Servers</TableHeaderCell>
            <TableHeaderCell>Licenses</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {results.map((r) => {
            const entry = entries.find((e) => e.id === r.entryId);
            const redundant = entry?.type === 'redundant';
            return (
              <TableRow key={r.entryId}>
                <TableCell>
                  <Breakable text={entry ? `${entry.name} (${describeEntry(entry)})` : `#${r.entryId}`} />
                </TableCell>
                <TableCell>
                  {r.reachable
                    ? r.problem
                      ? `yes, but ${r.problem}`
                      : 'yes'
                    : `no: ${redundant ? 'none of its servers answered' : 'the server did not answer'}`}
                </TableCell>
                <TableCell>
                  {(r.members ?? []).length === 0 ? (
                    (r.problem ?? '—')
                  ) : (
                    <ul className="verify-members">
                      {r.members!.map((m, i) => (
                        <li key={`${m.host}:${m.port}`} className={m.up ? undefined : 'down'}>
                          <Breakable text={memberLine(m, redundant ? ranks[i]! : null)} />
                        </li>
                      ))}
                    </ul>
                  )}
                </TableCell>
                <TableCell>
                  {r.features.length === 0 ? (
                    '—'
                  ) : (
                    <Breakable text={r.features.map((f) => `${f.name} v${f.version}: ${f.inUse} of ${f.issued ?? 'uncounted'} in use`).join('; ')} />
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}
