import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Title3 } from '@fluentui/react-components';
import type { ClientEntry, VerifyResult } from '../../../shared/contract';
import { describeEntry } from './describeEntry';

/** Verify's answer per entry: does it answer, who is master, which licenses it serves. */
export function VerifyTable({ results, entries }: { results: VerifyResult[]; entries: ClientEntry[] }) {
  return (
    <>
      <Title3 as="h3">Verify</Title3>
      <Table aria-label="Verify results" size="small" data-testid="verify-results">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Entry</TableHeaderCell>
            <TableHeaderCell>Answers</TableHeaderCell>
            <TableHeaderCell>Master</TableHeaderCell>
            <TableHeaderCell>Licenses</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {results.map((r) => {
            const entry = entries.find((e) => e.id === r.entryId);
            return (
              <TableRow key={r.entryId}>
                <TableCell>{entry ? `${entry.name} (${describeEntry(entry)})` : `#${r.entryId}`}</TableCell>
                <TableCell>{r.reachable ? 'yes' : `no: ${r.problem ?? 'no answer'}`}</TableCell>
                <TableCell>{r.master ?? '—'}</TableCell>
                <TableCell>
                  {r.features.length === 0
                    ? '—'
                    : r.features.map((f) => `${f.name} v${f.version}: ${f.inUse} of ${f.issued ?? 'uncounted'} in use`).join('; ')}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}
