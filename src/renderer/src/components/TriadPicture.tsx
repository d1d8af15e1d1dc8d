import { tokens } from '@fluentui/react-components';
import type { MemberStatus } from '../../../shared/status';

const positions = [
  { x: 90, y: 50 },
  { x: 330, y: 50 },
  { x: 210, y: 180 },
];

function rttLabel(member: MemberStatus): string {
  if (member.self) return 'this server';
  if (!member.up) return member.problem ?? 'down';
  return member.heartbeatRttMs === null ? 'up' : `${member.heartbeatRttMs.toFixed(1)} ms`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The triad as this server sees it: three members, a link per pair (solid when both ends are up
 * and talking to us), the master drawn thick, and each peer's heartbeat round trip.
 */
export function TriadPicture({ members }: { members: MemberStatus[] }) {
  const drawn = members.slice(0, 3);
  const links: [number, number][] = drawn.length === 3 ? [[0, 1], [1, 2], [0, 2]] : [];
  const summary = drawn
    .map((m) => `${m.rank} ${m.host} ${m.up ? 'up' : 'down'}${m.master ? ', master' : ''}${m.self ? ', this server' : ''}`)
    .join('; ');
  // A single server is one box: no need for the triad's height.
  const height = drawn.length === 3 ? 240 : 80;
  return (
    <svg viewBox={`0 0 420 ${height}`} width="420" height={height} role="img" aria-label={`Servers: ${summary}`} data-testid="triad-picture">
      {links.map(([a, b]) => {
        const up = drawn[a]!.up && drawn[b]!.up;
        return (
          <line
            key={`${a}-${b}`}
            x1={positions[a]!.x}
            y1={positions[a]!.y}
            x2={positions[b]!.x}
            y2={positions[b]!.y}
            stroke={up ? tokens.colorPaletteGreenForeground1 : tokens.colorPaletteRedForeground1}
            strokeWidth={3}
            strokeDasharray={up ? undefined : '8 6'}
          />
        );
      })}
      {drawn.map((member, i) => {
        const { x, y } = drawn.length === 3 ? positions[i]! : { x: 90, y: 40 + i * 80 };
        return (
          <g key={member.host + i} data-testid={`member-${member.rank}`}>
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
              {member.host}
            </text>
            <text x={x} y={y + 6} textAnchor="middle" fontSize={11}>
              {member.rank}
              {member.master ? ' · MASTER' : ''} · {member.up ? 'UP' : 'DOWN'}
            </text>
            <text x={x} y={y + 21} textAnchor="middle" fontSize={11} fill={tokens.colorNeutralForeground3}>
              {truncate(rttLabel(member), 24)}
              <title>{rttLabel(member)}</title>
            </text>
          </g>
        );
      })}
    </svg>
  );
}
