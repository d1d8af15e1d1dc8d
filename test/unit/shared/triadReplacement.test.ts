import { describe, expect, it } from 'vitest';
import type { MemberStatus, ServerStatus } from '../../../src/shared/status';
import { learnerNote, replacementSteps, type PendingReplacement } from '../../../src/shared/triadReplacement';

/** What is left after a replacement, ticked from the status of the server that did it (README, "Replace a server"). */

const pending: PendingReplacement = { atMs: 0, position: 3, rank: 'tertiary', from: { host: 'lic3', hostid: 'h3' }, to: { host: 'lic4', hostid: 'h4' } };
const member = (host: string, rank: MemberStatus['rank'], over: Partial<MemberStatus> = {}): MemberStatus => ({
  host,
  hostid: 'h',
  port: 27000,
  rank,
  up: false,
  master: false,
  self: false,
  heartbeatRttMs: null,
  heartbeatAgeMs: null,
  heartbeatLossPercent: null,
  problem: null,
  ...over,
});
const status = (lic2: Partial<MemberStatus>, lic4: Partial<MemberStatus>, role: ServerStatus['role'] = 'master'): ServerStatus =>
  ({
    mode: 'triad',
    role,
    members: [member('lic1', 'primary', { self: true, up: true }), member('lic2', 'secondary', lic2), member('lic4', 'tertiary', lic4)],
  }) as ServerStatus;
const done = (s: ServerStatus | null) => replacementSteps(pending, s).map((step) => step.done);

describe('the steps left after replacing a server', () => {
  it('names the other server that stays and the new machine, and ticks each step as the status shows it', () => {
    const [other, start, vote] = replacementSteps(pending, status({}, {})).map((step) => step.text);
    expect(other).toMatch(/^On lic2: replace the server there too, with the same license file/);
    expect(start).toMatch(/^On lic4, the new machine: .*cluster secret .*empty data folder/);
    expect(vote).toMatch(/^lic4 joins as a learner/);
    expect(done(status({}, {}))).toEqual([false, false, false]);
    expect(done(status({ up: true }, {}))).toEqual([true, false, false]);
    expect(done(status({ up: true }, { up: true, learner: true }))).toEqual([true, true, false]);
    expect(done(status({ up: true }, { up: true, learner: false }))).toEqual([true, true, true]);
  });

  it('ticks nothing while this server is stopped (it has not heard the others) or its status is unknown', () => {
    expect(done(status({ up: true }, { up: true, learner: false }, 'stopped'))).toEqual([false, false, false]);
    expect(done(null)).toEqual([false, false, false]);
  });

  it('says of a learner that it is not in the quorum yet and why', () => {
    expect(learnerNote(member('lic4', 'tertiary', { up: true, learner: true }))).toMatch(/^lic4 \(tertiary\) joined as a learner and is not in the quorum yet/);
    expect(learnerNote(member('lic4', 'tertiary', { up: true, learner: false }))).toBeNull();
  });
});
