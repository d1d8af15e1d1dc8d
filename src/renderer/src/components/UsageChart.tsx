import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageReport } from '../../../shared/contract';

const palette = ['#0f6cbd', '#c50f1f', '#107c10', '#8764b8', '#ca5010', '#038387', '#4f6bed', '#986f0b'];

/**
 * Seats in use over time per feature, with each feature's seats issued as a dashed line (a
 * feature touching its line is at its limit). The time axis leaves room between its labels
 * (`minTickGap`), so it reads at any width. `width` fixes the size (tests); otherwise it fills
 * its box.
 */
export function UsageChart({ report, width }: { report: UsageReport; width?: number }) {
  const data = report.points.map((p) => ({ time: p.time, ...p.inUse }));
  const issuedLines = report.peaks.filter((p) => p.issued !== null && p.issued > 0);
  const chart = (
    <LineChart data={data} width={width} height={width === undefined ? undefined : 300} margin={{ top: 8, right: 28, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis
        dataKey="time"
        type="number"
        scale="time"
        domain={[report.sinceMs, report.untilMs]}
        tickFormatter={(t: number) => axisLabel(t, report.untilMs - report.sinceMs)}
        minTickGap={48}
        interval="preserveStartEnd"
        tick={{ fontSize: 11 }}
      />
      <YAxis
        allowDecimals={false}
        width={32}
        tick={{ fontSize: 11 }}
        domain={[0, (most: number) => Math.max(most, ...issuedLines.map((p) => p.issued ?? 0))]}
      />
      <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} />
      <Legend />
      {report.features.map((f, i) => (
        <Line key={f} type="stepAfter" dataKey={f} stroke={palette[i % palette.length]} dot={false} isAnimationActive={false} />
      ))}
      {issuedLines.map((p) => (
        <ReferenceLine
          key={`issued-${p.feature}`}
          y={p.issued!}
          stroke={palette[Math.max(0, report.features.indexOf(p.feature)) % palette.length]}
          strokeDasharray="6 4"
          label={{ value: `${p.feature}: ${p.issued} issued`, position: 'insideTopRight', fontSize: 11 }}
          ifOverflow="extendDomain"
        />
      ))}
    </LineChart>
  );
  return (
    <div role="img" aria-label={`Seats in use over time for ${report.features.join(', ')}, with the seats issued`} data-testid="usage-chart">
      {width === undefined ? (
        <ResponsiveContainer width="100%" height={300} minWidth={280}>
          {chart}
        </ResponsiveContainer>
      ) : (
        chart
      )}
    </div>
  );
}

/** Times for a day or less; dates (and hours over a few days) beyond, so the ticks of a week differ. */
export function axisLabel(time: number, rangeMs: number): string {
  const date = new Date(time);
  if (rangeMs <= 86_400_000) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (rangeMs <= 8 * 86_400_000)
    return `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
  return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}
