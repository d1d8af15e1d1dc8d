import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, tokens } from '@fluentui/react-components';
import type { MemberStatus } from '../../../shared/status';
import { Breakable } from './Breakable';

const positions = [
  { x: 90, y: 50 },
  { x: 330, y: 50 },
  { x: 210, y: 180 },
];

/** A stopped server has not heard from its peers: their state is not known here. */
const unknownPeer = (member: MemberStatus, known: boolean) => !known && !member.self;

function stateLabel(member: MemberStatus, known: boolean): string {
  if (unknownPeer(member, known)) return 'not known';
  return `${member.up ? 'UP' : 'DOWN'}${member.learner ? ' · CATCHING UP' : ''}${member.master ? ' · MASTER' : ''}`;
}

function rttLabel(member: MemberStatus, known: boolean): string {
  if (member.self) return member.up ? 'this server' : 'this server (stopped)';
  if (unknownPeer(member, known)) return 'this server is stopped';
  if (!member.up) return member.problem ?? 'down';
  return member.heartbeatRttMs === null ? 'up' : `${member.heartbeatRttMs.toFixed(1)} ms`;
}

/** What fits a box: the first label of a long host name (the table below has it whole). */
function boxName(host: string, max: number): string {
  if (host.length <= max) return host;
  const first = host.split('.')[0]!;
  return first.length <= max ? `${first}…` : `${first.slice(0, max - 1)}…`;
}

/**
 * The triad as this server sees it: three members, a link per pair (solid when both ends are up
 * and talking to us), the master drawn thick, and each peer's heartbeat round trip. The picture
 * scales with the window; the table beside it names every member in full.
 */
export function TriadPicture({ members, known = true }: { members: MemberStatus[]; known?: boolean }) {
  const drawn = members.slice(0, 3);
  const links: [number, number][] = drawn.length === 3 ? [[0, 1], [1, 2], [0, 2]] : [];
  const summary = drawn
    .map(
      (m) => `${m.rank} ${m.host} ${unknownPeer(m, known) ? 'not known' : m.up ? 'up' : 'down'}${m.master ? ', master' : ''}${m.self ? ', this server' : ''}`,
    )
    .join('; ');
  // A single server is one box: no need for the triad's height.
  const height = drawn.length === 3 ? 240 : 80;
  const width = drawn.length === 3 ? 420 : 180;
  return (
    <div className="servers">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="triad-picture"
        style={{ maxWidth: width }}
        role="img"
        aria-label={`Servers: ${summary}`}
        data-testid="triad-picture"
      >
        {links.map(([a, b]) => {
          const up = drawn[a]!.up && drawn[b]!.up;
          const unknown = unknownPeer(drawn[a]!, known) && unknownPeer(drawn[b]!, known);
          return (
            <line
              key={`${a}-${b}`}
              x1={positions[a]!.x}
              y1={positions[a]!.y}
              x2={positions[b]!.x}
              y2={positions[b]!.y}
              stroke={up ? tokens.colorPaletteGreenForeground1 : unknown ? tokens.colorNeutralStroke1 : tokens.colorPaletteRedForeground1}
              strokeWidth={3}
              strokeDasharray={up ? undefined : '8 6'}
            />
          );
        })}
        {drawn.map((member, i) => {
          const { x, y } = drawn.length === 3 ? positions[i]! : { x: 90, y: 40 + i * 80 };
          return (
            <g key={member.host + i} data-testid={`member-${member.rank}`}>
              <title>{`${member.rank} ${member.host}: ${stateLabel(member, known)}, ${rttLabel(member, known)}`}</title>
              <rect
                x={x - 75}
                y={y - 30}
                width={150}
                height={60}
                rx={8}
                fill={member.up ? tokens.colorNeutralBackground1 : tokens.colorNeutralBackground4}
                stroke={member.master ? tokens.colorBrandStroke1 : tokens.colorNeutralStroke1}
                strokeWidth={member.master ? 5 : 1.5}
              />
              <text x={x} y={y - 10} textAnchor="middle" fontWeight={member.self ? 700 : 400} fontSize={14}>
                {boxName(member.host, 17)}
              </text>
              <text x={x} y={y + 6} textAnchor="middle" fontSize={11}>
                {member.rank} · {stateLabel(member, known)}
              </text>
              <text x={x} y={y + 21} textAnchor="middle" fontSize={11} fill={tokens.colorNeutralForeground3}>
                {boxName(rttLabel(member, known), 24)}
              </text>
            </g>
          );
        })}
      </svg>
      <Table aria-label="Servers" size="small" className="fit-table members-table" data-testid="members-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Server</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Heartbeat</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {drawn.map((m) => (
            <TableRow key={m.rank + m.host}>
              <TableCell>
                <Breakable text={`${m.port ?? ''}@${m.host}`} /> ({m.rank}
                {m.self ? ', this server' : ''})
              </TableCell>
              <TableCell>
                {unknownPeer(m, known) ? 'not known while this server is stopped' : stateLabel(m, known)}
                {known && !m.up && m.problem && !m.self ? `: ${m.problem}` : ''}
              </TableCell>
              <TableCell>
                {m.self || !known
                  ? '—'
                  : m.heartbeatRttMs === null
                    ? 'no heartbeat'
                    : `${m.heartbeatRttMs.toFixed(1)} ms round trip${m.heartbeatLossPercent ? `, ${m.heartbeatLossPercent}% lost` : ''}`}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
