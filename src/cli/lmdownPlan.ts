import net from 'node:net';
import type { ServerAddress } from '../core/client/connection';
import { authoritativeStatus, quorumProblems, type ServerReport } from '../core/lmstat';

/**
 * What `triad lmdown` is about to stop, asked before it asks (issue 20: the prompt named no
 * server and no seats), and what did stop, checked after (lmdown reported success and left a
 * member running).
 */

export interface ShutdownPlan {
  /** Every server of the entry, in SERVER-line order, with why it may not be reached. */
  members: { address: ServerAddress; master: boolean; running: boolean; outOfQuorum: string | null }[];
  /** `3 licenses are checked out (DOORS: 2, Tau: 1)`, or null. */
  seatsOut: string | null;
}

export function shutdownPlan(report: ServerReport): ShutdownPlan {
  const status = authoritativeStatus(report);
  const problems = new Map(quorumProblems(report).map(({ host, problem }) => [host, problem]));
  const members = report.members.map((address) => {
    const probe = report.probes.find((p) => p.host === address.host && p.port === address.port);
    const answered = probe !== undefined && 'status' in probe ? probe.status : null;
    return { address, master: answered?.role === 'master', running: answered !== null, outOfQuorum: answered ? (problems.get(answered.host) ?? null) : null };
  });
  const byFeature = new Map<string, number>();
  for (const pool of status?.features ?? []) if (pool.inUse > 0) byFeature.set(pool.name, (byFeature.get(pool.name) ?? 0) + pool.inUse);
  const total = [...byFeature.values()].reduce((sum, n) => sum + n, 0);
  const list = [...byFeature].map(([feature, n]) => `${feature}: ${n}`).join(', ');
  return { members, seatsOut: total === 0 ? null : `${total} license${total === 1 ? ' is' : 's are'} checked out (${list})` };
}

const where = (address: ServerAddress) => `${address.port}@${address.host}`;

/** The confirmation text: which servers go down, which cannot be reached, the seats out. */
export function shutdownPrompt(plan: ShutdownPlan, force: boolean): string {
  const lines = [plan.members.length > 1 ? 'lmdown stops all three redundant license servers:' : 'lmdown stops the license server:'];
  for (const member of plan.members) {
    const note = !member.running
      ? 'not running'
      : member.outOfQuorum
        ? `not in the quorum, so lmdown cannot reach it: ${member.outOfQuorum}`
        : member.master
          ? 'master'
          : '';
    lines.push(`  ${where(member.address)}${note ? ` (${note})` : ''}`);
  }
  if (plan.seatsOut) {
    lines.push(
      force
        ? `${plan.seatsOut}; their users lose them until the servers are back.`
        : `${plan.seatsOut}: the servers refuse to stop while licenses are out; pass --force to stop them anyway.`,
    );
  } else lines.push('No licenses are checked out.');
  return `${lines.join('\n')}\nAre you sure (y/n)? `;
}

/** How each member ended: stopped (its port closed) or still running after `waitMs`. */
export async function awaitShutdown(plan: ShutdownPlan, waitMs: number): Promise<{ stopped: ServerAddress[]; running: ShutdownPlan['members'] }> {
  const deadline = Date.now() + waitMs;
  const results = await Promise.all(
    plan.members.map(async (member) => {
      while (await listening(member.address)) {
        if (Date.now() >= deadline) return { member, stopped: false };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return { member, stopped: true };
    }),
  );
  return { stopped: results.filter((r) => r.stopped).map((r) => r.member.address), running: results.filter((r) => !r.stopped).map((r) => r.member) };
}

/** Whether something accepts connections on the address (a stopped server's port is closed). */
function listening(address: ServerAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    const settle = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => settle(false));
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}
