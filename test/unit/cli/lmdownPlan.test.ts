import { describe, expect, it } from 'vitest';
import type { ServerReport } from '../../../src/core/lmstat';
import { shutdownPlan, shutdownPrompt } from '../../../src/cli/lmdownPlan';
import { triadStatus } from '../lmstat/sampleStatus';

/** Issue 20: lmdown's question named no server and no seats; -q and --force disagreed with the help. */

function report(): ServerReport {
  const master = triadStatus();
  master.members[0] = { ...master.members[0]!, problem: 'refused: its proof does not match our cluster secret' };
  return {
    members: master.members.map((m) => ({ host: m.host, port: 27002 })),
    probes: [
      { host: 'host-1.domain.net', port: 27002, status: { ...master, host: 'host-1.domain.net', role: 'no-quorum', master: null } },
      { host: 'host2.domain.net', port: 27002, status: master },
      { host: 'host3.domain.net', port: 27002, failure: { code: 'ECONNREFUSED', message: 'refused' } },
    ],
  };
}

describe('lmdown asks with the servers and the seats', () => {
  it('lists each server with what will happen to it, and the licenses checked out', () => {
    const plan = shutdownPlan(report());
    expect(plan.seatsOut).toBe('9 licenses are checked out (DOORS: 8, Rhapsody: 1)');
    expect(shutdownPrompt(plan, false)).toBe(
      [
        'lmdown stops all three redundant license servers:',
        '  27002@host-1.domain.net (not in the quorum, so lmdown cannot reach it: refused: its proof does not match our cluster secret)',
        '  27002@host2.domain.net (master)',
        '  27002@host3.domain.net (not running)',
        '9 licenses are checked out (DOORS: 8, Rhapsody: 1): the servers refuse to stop while licenses are out; pass --force to stop them anyway.',
        'Are you sure (y/n)? ',
      ].join('\n'),
    );
    expect(shutdownPrompt(plan, true)).toContain('9 licenses are checked out (DOORS: 8, Rhapsody: 1); their users lose them until the servers are back.');
  });

  it('says so when nothing is checked out', () => {
    const quiet = report();
    for (const probe of quiet.probes) if ('status' in probe) for (const pool of probe.status.features) pool.inUse = 0;
    const plan = shutdownPlan(quiet);
    expect(plan.seatsOut).toBeNull();
    expect(shutdownPrompt(plan, false)).toContain('No licenses are checked out.');
  });
});
