import {
  Button,
  Select,
  Field,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  Title3,
  Toolbar,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { denialsToCsv, usageToCsv } from '../../../shared/usage';
import { Empty, ErrorBar, Loading, Notice } from '../components/feedback';
import { saveTextFile } from '../components/saveTextFile';
import { useQuery } from '../useTransport';

const ranges = {
  hour: { label: 'Last hour', ms: 3_600_000 },
  day: { label: 'Last 24 hours', ms: 86_400_000 },
  week: { label: 'Last 7 days', ms: 7 * 86_400_000 },
  month: { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;
type RangeKey = keyof typeof ranges;

const palette = ['#0f6cbd', '#c50f1f', '#107c10', '#8764b8', '#ca5010', '#038387', '#4f6bed', '#986f0b'];

export function UsageScreen() {
  const [range, setRange] = useState<RangeKey>('day');
  const [anchor, setAnchor] = useState(() => Date.now());
  const args = useMemo(() => ({ sinceMs: anchor - ranges[range].ms, untilMs: anchor, points: 120 }), [range, anchor]);
  const usage = useQuery('usage.get', args, JSON.stringify(args));
  const report = usage.value;
  const stamp = new Date(anchor).toISOString().slice(0, 10);
  const data = report?.points.map((p) => ({ time: p.time, ...p.inUse })) ?? [];

  return (
    <section aria-labelledby="usage-title" className="screen">
      <Title2 as="h2" id="usage-title">Usage</Title2>
      <Toolbar aria-label="Usage range and export">
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
        <Button disabled={!report} onClick={() => report && saveTextFile(`triad-usage-${stamp}.csv`, usageToCsv(report), 'text/csv')}>
          Export usage CSV…
        </Button>
        <Button disabled={!report} onClick={() => report && saveTextFile(`triad-denials-${stamp}.csv`, denialsToCsv(report.denials), 'text/csv')}>
          Export denials CSV…
        </Button>
      </Toolbar>
      <ErrorBar error={usage.error} onRetry={() => void usage.reload()} />
      {usage.state === 'loading' && <Loading label="Reading the report log…" />}
      {report?.keptSinceMs != null && report.keptSinceMs > report.sinceMs && (
        <Notice intent="info">
          The report log holds activity from {new Date(report.keptSinceMs).toLocaleString()} on: older rows were rotated into archive files (see Settings), so
          the chart, peaks and denials start there. Seats already out at that time are counted.
        </Notice>
      )}
      {report && report.features.length === 0 && <Empty>No license activity in this range.</Empty>}
      {report && report.features.length > 0 && (
        <>
          <Title3 as="h3">Seats in use</Title3>
          <div role="img" aria-label={`Seats in use over time for ${report.features.join(', ')}`} data-testid="usage-chart">
            <ResponsiveContainer width="100%" height={300} minWidth={300}>
              <LineChart data={data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  dataKey="time"
                  type="number"
                  scale="time"
                  domain={[report.sinceMs, report.untilMs]}
                  tickFormatter={(t: number) => axisLabel(t, report.untilMs - report.sinceMs)}
                />
                <YAxis allowDecimals={false} />
                <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} />
                <Legend />
                {report.features.map((f, i) => (
                  <Line key={f} type="stepAfter" dataKey={f} stroke={palette[i % palette.length]} dot={false} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <Title3 as="h3">Peaks</Title3>
          <Table aria-label="Peak usage" size="small">
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
          <Title3 as="h3">Denials</Title3>
          {report.denials.length === 0 ? (
            <Empty>No denials in this range.</Empty>
          ) : (
            <Table aria-label="Denials" size="small">
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

/** Times for a day or less; dates (and hours over a few days) beyond, so the ticks of a week differ. */
function axisLabel(time: number, rangeMs: number): string {
  const date = new Date(time);
  if (rangeMs <= 86_400_000) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (rangeMs <= 8 * 86_400_000) {
    return `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  }
  return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}
