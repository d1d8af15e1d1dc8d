import { describe, expect, it } from 'vitest';
import { formatLmstatText, lmstatJson, type ServerReport } from '../../../src/core/lmstat';
import type { ServerStatus } from '../../../src/shared/status';
import { CLOCK, triadStatus } from './sampleStatus';

/**
 * Issue 20: a member with another cluster secret answered lmstat and showed as plainly UP. lmstat
 * now says under the server lines why a member that answers is not in the quorum.
 */

const SECRET_PROBLEM = 'refused: its proof does not match our cluster secret (import the same cluster secret on all three)';

function reportWithOddTertiary(): ServerReport {
  const master = triadStatus();
  master.members[2] = { ...master.members[2]!, problem: SECRET_PROBLEM };
  const odd: ServerStatus = {
    ...master,
    host: 'host3.domain.net',
    role: 'no-quorum',
    master: null,
    quorum: false,
    members: master.members.map((m) => ({
      ...m,
      self: m.host === 'host3.domain.net',
      problem: m.host === 'host3.domain.net' ? null : 'refused: it does not accept our proof',
    })),
  };
  return {
    members: master.members.map((m) => ({ host: m.host, port: 27002 })),
    probes: [
      { host: 'host-1.domain.net', port: 27002, status: { ...master, host: 'host-1.domain.net', role: 'standby' } },
      { host: 'host2.domain.net', port: 27002, status: master },
      { host: 'host3.domain.net', port: 27002, status: odd },
    ],
  };
}

describe('lmstat on a triad with a member out of the quorum', () => {
  it('prints the reason under the server lines, as the master sees it', () => {
    const text = formatLmstatText([reportWithOddTertiary()], { usage: 'none' }, CLOCK);
    const lines = text.split('\n');
    const up = lines.indexOf('host3.domain.net: license server UP v1.0.0');
    expect(up).toBeGreaterThan(0);
    expect(lines[up + 1]).toBe(`    host3.domain.net: UP but not in the quorum: ${SECRET_PROBLEM}`);
    expect(lines.filter((line) => line.includes('not in the quorum'))).toHaveLength(1);
  });

  it('--json gives the same reason per member', () => {
    const json = lmstatJson([reportWithOddTertiary()], { usage: 'none' }, CLOCK.nowMs);
    expect(json.servers[0]!.members.map((m) => m.quorum)).toEqual([null, null, SECRET_PROBLEM]);
  });

  it('without a master, each member that answers says whom it cannot reach and why', () => {
    const report = reportWithOddTertiary();
    report.probes = [report.probes[2]!, { host: 'host-1.domain.net', port: 27002, failure: { code: 'ECONNREFUSED', message: 'refused' } }];
    const text = formatLmstatText([report], { usage: 'none' }, CLOCK);
    expect(text).toContain(
      '    host3.domain.net: UP but not in the quorum: host-1.domain.net refused: it does not accept our proof; host2.domain.net refused: it does not ' +
        'accept our proof',
    );
  });
});

describe('lmstat on a triad with a member catching up', () => {
  it('says a learner is catching up from the master, not that it reaches nobody', () => {
    const master = triadStatus();
    master.members[2] = { ...master.members[2]!, learner: true };
    const learner: ServerStatus = {
      ...master,
      host: 'host3.domain.net',
      role: 'no-quorum',
      master: null,
      quorum: false,
      members: master.members.map((m) => ({ ...m, self: m.host === 'host3.domain.net', learner: m.host === 'host3.domain.net' })),
    };
    const report: ServerReport = {
      members: master.members.map((m) => ({ host: m.host, port: 27002 })),
      probes: [
        { host: 'host2.domain.net', port: 27002, status: master },
        { host: 'host3.domain.net', port: 27002, status: learner },
      ],
    };
    const text = formatLmstatText([report], { usage: 'none' }, CLOCK);
    expect(text).toContain('    host3.domain.net: UP but not in the quorum: catching up from the master as a learner');
    // on its own, without the master's view, it says the same
    report.probes = [report.probes[1]!];
    expect(formatLmstatText([report], { usage: 'none' }, CLOCK)).toContain('host3.domain.net: UP but not in the quorum: catching up from the master');
  });
});
