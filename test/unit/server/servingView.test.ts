import { describe, expect, it } from 'vitest';
import { formatLmstatText, type ServerReport } from '../../../src/core/lmstat';
import { explainServing } from '../../../src/core/server/licensing/servingView';
import type { ServerStatus } from '../../../src/shared/status';
import { CLOCK, triadStatus } from '../lmstat/sampleStatus';

const alone = (): ServerStatus => {
  const status = triadStatus();
  return {
    ...status,
    role: 'no-quorum',
    master: null,
    quorum: false,
    members: status.members.map((member) => ({ ...member, up: member.self, master: false, problem: member.self ? null : 'connection refused' })),
  };
};

describe('serving as the status tells it', () => {
  it('a master is left as it is', () => {
    const master = triadStatus();
    expect(explainServing(master)).toBe(master);
  });

  it('a standby says its seats come from the master', () => {
    const standby = { ...triadStatus(), role: 'standby' as const };
    expect(explainServing(standby).seatsFrom).toEqual({ master: standby.master });
    expect(explainServing(standby).notServing ?? null).toBeNull();
  });

  it('without quorum: one sentence naming who is out, vendors down and features not served, as lmstat prints it', () => {
    const status = explainServing(alone());
    expect(status.notServing).toMatch(/^No quorum: this server gives out no licenses and checkouts are denied\./);
    for (const member of status.members.filter((m) => !m.self)) expect(status.notServing).toContain(`${member.host} (${member.rank}): connection refused`);
    expect(status.vendors.map((vendor) => vendor.up)).toEqual(status.vendors.map(() => false));
    expect(status.features.every((feature) => !feature.served && feature.notServedReason !== null)).toBe(true);

    const report: ServerReport = { members: [{ host: status.host, port: status.port }], probes: [{ host: status.host, port: status.port, status }] };
    const text = formatLmstatText([report], { usage: 'all' }, CLOCK);
    for (const vendor of status.vendors) expect(text).toContain(`${vendor.name}: The desired vendor daemon is down.`);
    for (const name of new Set(status.features.map((f) => f.name)))
      expect(text).toMatch(new RegExp(`Users of ${name}:  \\(Error: \\d+ licenses, unsupported by licensed server\\)`));
  });
});
