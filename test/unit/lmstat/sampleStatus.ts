import type { MemberStatus, ServerStatus, UserStatus } from '../../../src/shared/status';
import type { ServerReport } from '../../../src/core/lmstat';
import { featureStatus } from '../../support/featureStatus';

/** A known triad state for the golden files: Fri 10/20/2017 17:02 in Europe/Paris. */
export const NOW = Date.UTC(2017, 9, 20, 15, 2, 30);
export const CLOCK = { nowMs: NOW, timeZone: 'Europe/Paris' };

function member(host: string, rank: MemberStatus['rank'], master: boolean, up: boolean): MemberStatus {
  return {
    host,
    hostid: '0800200005ac',
    port: 27002,
    rank,
    up,
    master,
    self: host === 'host2.domain.net',
    heartbeatRttMs: null,
    heartbeatAgeMs: null,
    heartbeatLossPercent: null,
    problem: null,
  };
}

function user(partial: Partial<UserStatus> & Pick<UserStatus, 'user' | 'host' | 'startedAt'>): UserStatus {
  return { display: '/dev/tty', version: '1.0', server: 'host2.domain.net', port: 27002, handle: 101, count: 1, linger: null, ...partial };
}

export function triadStatus(): ServerStatus {
  return {
    takenAt: NOW,
    version: 'v1.0.0',
    host: 'host2.domain.net',
    port: 27002,
    licenseFiles: ['/opt/triad/license.dat'],
    mode: 'triad',
    role: 'master',
    master: 'host2.domain.net',
    quorum: true,
    members: [
      member('host-1.domain.net', 'primary', false, true),
      member('host2.domain.net', 'secondary', true, true),
      member('host3.domain.net', 'tertiary', false, false),
    ],
    vendors: [{ name: 'ibmratl', up: true, version: 'v1.0.0', problem: null }],
    features: [
      featureStatus({
        name: 'DOORS',
        version: '9.7',
        expiry: '31-dec-2026',
        issued: 20,
        inUse: 7,
        reservations: [
          { count: 2, type: 'GROUP', name: 'ENGINEERS' },
          { count: 1, type: 'HOST', name: 'HOSTPC11' },
        ],
        users: [
          user({ user: 'alice', host: 'ws01', version: '9.7', startedAt: Date.UTC(2017, 9, 20, 6, 33), handle: 5226 }),
          user({ user: 'bob', host: 'ws02', display: 'ws02', version: '9.7', startedAt: Date.UTC(2017, 9, 18, 11, 5), handle: 7086, count: 5 }),
          user({
            user: 'carol',
            host: 'ws03',
            display: '/dev/pts/0',
            version: '9.0',
            startedAt: Date.UTC(2017, 9, 19, 22, 0),
            handle: 24480,
            linger: { total: 1800, remaining: 600 },
          }),
        ],
      }),
      featureStatus({
        name: 'DOORS',
        version: '9.6',
        expiry: '1-jan-0',
        vendorString: 'site=paris',
        issued: 1,
        inUse: 1,
        users: [user({ user: 'dave', host: 'ws04', version: '9.6', startedAt: Date.UTC(2017, 9, 20, 14, 59), handle: 612 })],
      }),
      featureStatus({ name: 'ClearCase', issued: 1, inUse: 0 }),
      featureStatus({
        name: 'Rhapsody',
        issued: 3,
        inUse: 1,
        kind: 'nodelocked',
        lockedTo: 'ID=1234',
        users: [user({ user: 'erin', host: 'ws05', startedAt: Date.UTC(2017, 9, 20, 12, 0), handle: 9 })],
      }),
      featureStatus({ name: 'RequisitePro', issued: null, kind: 'uncounted' }),
      featureStatus({ name: 'Tau', issued: 4, served: false, notServedReason: 'invalid signature' }),
    ],
    warnings: [],
    optionsProblems: [],
  };
}

export function triadReport(): ServerReport {
  const status = triadStatus();
  const standby: ServerStatus = { ...status, host: 'host-1.domain.net', role: 'standby' };
  return {
    members: status.members.map((m) => ({ host: m.host, port: 27002 })),
    probes: [
      { host: 'host-1.domain.net', port: 27002, status: standby },
      { host: 'host2.domain.net', port: 27002, status },
      { host: 'host3.domain.net', port: 27002, failure: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } },
    ],
  };
}
