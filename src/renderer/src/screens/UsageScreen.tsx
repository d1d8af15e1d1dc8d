import { Button, Select, Field, Subtitle1, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { denialsToCsv, usageToCsv } from '../../../shared/usage';
import { userUsageToCsv } from '../../../shared/userUsage';
import { Breakable } from '../components/Breakable';
import { UsageChart } from '../components/UsageChart';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { DOWNLOADS, saveTextFile } from '../components/saveTextFile';
import { useQuery } from '../useTransport';

const ranges = {
  hour: { label: 'Last hour', ms: 3_600_000 },
  day: { label: 'Last 24 hours', ms: 86_400_000 },
  week: { label: 'Last 7 days', ms: 7 * 86_400_000 },
  month: { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;
type RangeKey = keyof typeof ranges;


export function UsageScreen() {
  const [range, setRange] = useState<RangeKey>('day');
  const [anchor, setAnchor] = useState(() => Date.now());
  const args = useMemo(() => ({ sinceMs: anchor - ranges[range].ms, untilMs: anchor, points: 120 }), [range, anchor]);
  const usage = useQuery('usage.get', args, JSON.stringify(args));
  const report = usage.value;
  const stamp = new Date(anchor).toISOString().slice(0, 10);
  const [saved, setSaved] = useState<string | null>(null);
  const save = (fileName: string, csv: string, what: string) => {
    saveTextFile(fileName, csv, 'text/csv');
    setSaved(`Exported ${what} as ${fileName} to ${DOWNLOADS}.`);
  };
  const users = report?.users ?? [];

  return (
    <section aria-labelledby="usage-title" className="screen">
      <Subtitle1 as="h2" id="usage-title">
        Usage
      </Subtitle1>
      <div className="button-row" role="group" aria-label="Usage range and export">
        <Field label="Range" orientation="horizontal">
          <Select value={range} onChange={(_e, d) => setRange(d.value as RangeKey)}>
            {Object.entries(ranges).map(([key, r]) => (
              <option key={key} value={key}>
                {r.label}
              </option>
            ))}
          </Select>
        </Field>
        <Button onClick={() => setAnchor(Date.now())}>Refresh</Button>
        <Button disabled={!report} onClick={() => report && save(`triad-usage-${stamp}.csv`, usageToCsv(report), 'the seats in use over time')}>
          Export usage CSV…
        </Button>
        <Button disabled={!report} onClick={() => report && save(`triad-users-${stamp}.csv`, userUsageToCsv(users), 'the usage by user')}>
          Export users CSV…
        </Button>
        <Button disabled={!report} onClick={() => report && save(`triad-denials-${stamp}.csv`, denialsToCsv(report.denials), 'the denials')}>
          Export denials CSV…
        </Button>
      </div>
      {saved && (
        <Notice intent="success" role="status">
          {saved}
        </Notice>
      )}
      <ErrorBar error={usage.error} onRetry={() => void usage.reload()} />
      {usage.state === 'loading' && <Loading label="Reading the report log…" />}
      {report?.keptSinceMs != null && report.keptSinceMs > report.sinceMs && (
        <Notice intent="info">
          The report log holds activity from {new Date(report.keptSinceMs).toLocaleString()} on: older rows were rotated into archive files (see Settings), so
          the chart, peaks, usage by user and denials start there. Seats already out at that time count in the chart and peaks.
        </Notice>
      )}
      {report && report.features.length === 0 && <Empty>No license activity in this range.</Empty>}
      {report && report.features.length > 0 && (
        <>
          <Subtitle2 as="h3">Seats in use</Subtitle2>
          <UsageChart report={report} />
          <Subtitle2 as="h3">Peaks</Subtitle2>
          <Table aria-label="Peak usage" size="small" className="fit-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Feature</TableHeaderCell>
                <TableHeaderCell>Peak</TableHeaderCell>
                <TableHeaderCell>Issued</TableHeaderCell>
                <TableHeaderCell>When</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {report.peaks.map((p) => (
                <TableRow key={p.feature}>
                  <TableCell>{p.feature}</TableCell>
                  <TableCell>{p.peak}</TableCell>
                  <TableCell>{p.issued ?? '—'}</TableCell>
                  <TableCell>{p.peak === 0 ? '—' : new Date(p.at).toLocaleString()}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      {report && (
        <>
          <Subtitle2 as="h3">By user</Subtitle2>
          {users.length === 0 ? (
            <Empty>Nobody used a license in this range.</Empty>
          ) : (
            <Table aria-label="Usage by user" size="small" className="fit-table" data-testid="usage-by-user">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>User</TableHeaderCell>
                  <TableHeaderCell>Feature</TableHeaderCell>
                  <TableHeaderCell>Checkouts</TableHeaderCell>
                  <TableHeaderCell>Hours held</TableHeaderCell>
                  <TableHeaderCell>Denials</TableHeaderCell>
                  <TableHeaderCell>Last used</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {users.map((u) => (
                  <TableRow key={`${u.user}/${u.feature}`}>
                    <TableCell>
                      <Breakable text={u.user} />
                    </TableCell>
                    <TableCell>
                      <Breakable text={u.feature} />
                    </TableCell>
                    <TableCell>{u.checkouts}</TableCell>
                    <TableCell>{(u.heldMs / 3_600_000).toFixed(2)}</TableCell>
                    <TableCell>{u.denials}</TableCell>
                    <TableCell>{u.lastUsed === null ? '—' : new Date(u.lastUsed).toLocaleString()}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Subtitle2 as="h3">Denials</Subtitle2>
          {report.denials.length === 0 ? (
            <Empty>No denials in this range.</Empty>
          ) : (
            <Table aria-label="Denials" size="small" className="fit-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>When</TableHeaderCell>
                  <TableHeaderCell>Feature</TableHeaderCell>
                  <TableHeaderCell>User</TableHeaderCell>
                  <TableHeaderCell>Host</TableHeaderCell>
                  <TableHeaderCell>Reason</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {report.denials.map((d, i) => (
                  <TableRow key={i}>
                    <TableCell>{new Date(d.time).toLocaleString()}</TableCell>
                    <TableCell>{d.feature}</TableCell>
                    <TableCell>{d.user}</TableCell>
                    <TableCell>{d.host}</TableCell>
                    <TableCell>{d.reason}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
    </section>
  );
}
