import { describe, expect, it } from 'vitest';
import { parseOptionsFile } from '../../../../src/core/options';
import { poolKeyOf, type Lease, type PoolLine } from '../../../../src/core/pool';
import type { AdminCommand, LicenseRequest, ServerMessage } from '../../../../src/core/protocol';
import { AdminLockout } from '../../../../src/core/server/licensing/adminLockout';
import {
  LicensingService,
  type AuditRow,
  type LicensingDeps,
  type ReportRow,
  type ServiceSettings,
  type ServingConfig,
} from '../../../../src/core/server/licensing/licensing';
import type { Session } from '../../../../src/core/server/licensing/listener';
import type { Clock } from '../../../../src/core/server/runtime';
import type { LeaseLog, LeaseOp, MasterAddress, MasterGate } from '../../../../src/core/server/seams';
import type { ServerRole } from '../../../../src/shared/status';
import { poolLine } from '../../../support/poolLine';

/**
 * LicensingService through its public API (handle, sweep, status, performAdmin) with every seam
 * faked: no sockets, no SQLite, time stepped by hand. The fake log decides when (and whether)
 * each op becomes durable, so a test can hold a grant or a release between "decided" and
 * "durable" and look at what the service does meanwhile.
 */

const HEARTBEAT_MS = 1_000;
/** Three missed heartbeats (no TIMEOUT in the options file). */
const SEAT_TIMEOUT_MS = 3 * HEARTBEAT_MS;
const TOKEN = 'admin-token';

class SteppedClock implements Clock {
  private wall = 1_780_000_000_000;
  private mono = 50_000;

  wallMs(): number {
    return this.wall;
  }

  monoMs(): number {
    return this.mono;
  }

  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}

interface PendingCommit {
  op: LeaseOp;
  durable(): void;
  fail(why: string): void;
}

/**
 * A LeaseLog whose durability the test controls. `now`: each op is durable at once; `held`:
 * each waits in `pending` for the test to make it durable or fail it; `failing`: each fails.
 * `recover()` folds the durable ops into the lease table, as a store would.
 */
class FakeLeaseLog implements LeaseLog {
  mode: 'now' | 'held' | 'failing' = 'now';
  readonly durableOps: LeaseOp[] = [];
  readonly pending: PendingCommit[] = [];

  constructor(
    readonly replicated = false,
    private readonly table: Lease[] = [],
  ) {}

  commit(op: LeaseOp): Promise<void> {
    if (this.mode === 'failing') return Promise.reject(new Error('disk I/O error'));
    if (this.mode === 'now') {
      this.apply(op);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pending.push({
        op,
        durable: () => {
          this.apply(op);
          resolve();
        },
        fail: (why) => reject(new Error(why)),
      });
    });
  }

  recover(): Lease[] {
    return this.table.map((lease) => ({ ...lease }));
  }

  /** Settles the oldest pending commit. */
  next(): PendingCommit {
    const commit = this.pending.shift();
    if (!commit) throw new Error('no commit is pending');
    return commit;
  }

  /** An op another member committed, applied here (a triad standby's replicated lease table). */
  replicate(op: LeaseOp): void {
    this.apply(op);
  }

  opsOfKind(kind: LeaseOp['kind']): LeaseOp[] {
    return this.durableOps.filter((op) => op.kind === kind);
  }

  private apply(op: LeaseOp): void {
    this.durableOps.push(op);
    if (op.kind === 'grant') this.table.push(op.lease);
    else this.table.splice(0, this.table.length, ...this.table.filter((lease) => lease.leaseId !== op.leaseId));
  }
}

class FakeGate implements MasterGate {
  private currentRole: ServerRole = 'master';
  private currentMaster: MasterAddress | null = null;
  private currentTerm = 1;
  private readonly listeners = new Set<() => void>();

  role(): ServerRole {
    return this.currentRole;
  }

  master(): MasterAddress | null {
    return this.currentMaster;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failoverMs(): number {
    return 5_000;
  }

  term(): number {
    return this.currentTerm;
  }

  becomes(role: ServerRole, master: MasterAddress | null, term = this.currentTerm): void {
    this.currentRole = role;
    this.currentMaster = master;
    this.currentTerm = term;
    for (const listener of this.listeners) listener();
  }
}

class FakeSession implements Session {
  readonly role = 'admin' as const;
  readonly agent = 'test client';
  readonly received: ServerMessage[] = [];
  readonly closed = false;

  constructor(
    readonly id: string,
    readonly remoteIp = '127.0.0.1',
  ) {}

  get remoteAddress(): string {
    return `${this.remoteIp}:40000`;
  }

  send(message: ServerMessage): void {
    this.received.push(message);
  }
}

function servingConfig(lines: PoolLine[], optionsText: string | null = null): ServingConfig {
  return {
    poolLines: lines,
    options: new Map([['ibmratl', optionsText === null ? null : parseOptionsFile(optionsText, 'ibmratl.opt').options]]),
    vendors: ['ibmratl'],
    licenseFiles: ['test.lic'],
    members: [],
    mode: 'single',
    notes: [],
    optionsProblems: new Map(),
  };
}

/** Omit per member of a union (a plain Omit keeps only the fields every member has). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Setup {
  lines?: PoolLine[];
  options?: string;
  log?: FakeLeaseLog;
  settings?: Partial<ServiceSettings>;
  reread?: () => ServingConfig;
  refuseNewGrant?: LicensingDeps['refuseNewGrant'];
}

function serverWith(setup: Setup = {}) {
  const clock = new SteppedClock();
  const log = setup.log ?? new FakeLeaseLog();
  const gate = new FakeGate();
  const reports: ReportRow[] = [];
  const audits: AuditRow[] = [];
  const debugLines: string[] = [];
  const shutdowns: string[] = [];
  let ids = 0;
  const service = new LicensingService(
    servingConfig(setup.lines ?? [poolLine()], setup.options ?? null),
    { host: 'lic1', port: 27000, version: 'test', clientHeartbeatIntervalMs: HEARTBEAT_MS, allowRemoteAdmin: false, ...setup.settings },
    {
      clock,
      log,
      gate,
      debug: (daemon, message) => debugLines.push(`(${daemon}) ${message}`),
      // resolves at once: the row is durable when written (as the store's writer resolves)
      report: (row) => {
        reports.push(row);
        return Promise.resolve();
      },
      audit: (row) => audits.push(row),
      adminToken: TOKEN,
      adminLockout: new AdminLockout({ maxFailures: 2, windowMs: 60_000, lockoutMs: 300_000, maxTrackedAddresses: 100 }),
      requestShutdown: (reason) => shutdowns.push(reason),
      reread: setup.reread ?? (() => servingConfig(setup.lines ?? [poolLine()])),
      changed: () => {},
      ids: { leaseId: () => `lease-${++ids}`, resumeToken: () => `resume-${ids}` },
      refuseNewGrant: setup.refuseNewGrant,
    },
  );
  let requestId = 0;
  const send = (request: LicenseRequest, session: Session) => service.handle(request, session);
  const checkout = (session: Session, user: string, more: { feature?: string; count?: number; resumeToken?: string } = {}) =>
    send(
      {
        type: 'checkout',
        id: ++requestId,
        feature: more.feature ?? 'f1',
        version: '1.0',
        count: more.count ?? 1,
        user,
        host: `${user}-ws`,
        display: ':0',
        ...(more.resumeToken ? { resumeToken: more.resumeToken } : {}),
      },
      session,
    );
  const checkin = (session: Session, leaseId: string, resumeToken?: string) =>
    send({ type: 'checkin', id: ++requestId, leaseId, ...(resumeToken ? { resumeToken } : {}) }, session);
  const heartbeat = (session: Session, ...leaseIds: string[]) => send({ type: 'heartbeat', id: ++requestId, leaseIds }, session);
  const admin = (command: WithoutId<AdminCommand>, session: Session = new FakeSession('admin')) =>
    send({ ...command, id: ++requestId } as AdminCommand, session);
  /** Runs the host's sweep timer for `ms` of time, on its own period. */
  const runFor = async (ms: number) => {
    for (let passed = 0; passed < ms; passed += service.sweepEveryMs) {
      clock.advance(Math.min(service.sweepEveryMs, ms - passed));
      await service.sweep();
    }
  };
  const inUse = (feature = 'f1') => service.status().features.find((f) => f.name === feature)?.inUse;
  return { service, clock, log, gate, reports, audits, debugLines, shutdowns, checkout, checkin, heartbeat, admin, runFor, inUse };
}

function grantOf(reply: ServerMessage): Extract<ServerMessage, { type: 'granted' }> {
  if (reply.type !== 'granted') throw new Error(`expected a grant, got ${JSON.stringify(reply)}`);
  return reply;
}

/** Whether a promise has settled, after every already-queued callback ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('checkout', () => {
  it('grants a seat, commits it to the log, and says how to keep it', async () => {
    const { checkout, log, inUse } = serverWith();
    const grant = grantOf(await checkout(new FakeSession('s1'), 'ann'));
    expect(grant).toMatchObject({ feature: 'f1', count: 1, heartbeatIntervalMs: HEARTBEAT_MS, timeoutMs: SEAT_TIMEOUT_MS, resumed: false });
    expect(grant).toMatchObject({ server: 'lic1', port: 27000 });
    expect(log.opsOfKind('grant')).toEqual([{ kind: 'grant', lease: expect.objectContaining({ leaseId: grant.leaseId, user: 'ann', feature: 'f1' }) }]);
    expect(inUse()).toBe(1);
  });

  it('denies when every seat is taken (-4), and writes nothing to the log for it', async () => {
    const { checkout, log, reports } = serverWith({ lines: [poolLine({ count: 2 })] });
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    grantOf(await checkout(new FakeSession('s2'), 'bob'));
    const denied = await checkout(new FakeSession('s3'), 'cid');
    expect(denied).toMatchObject({ type: 'denied', code: -4 });
    expect(log.opsOfKind('grant')).toHaveLength(2);
    expect(reports.filter((row) => row.event === 'DENIED')).toEqual([expect.objectContaining({ user: 'cid', leaseId: null })]);
  });

  it('a checkout of more seats than are left is denied; one that fits is granted', async () => {
    const { checkout } = serverWith({ lines: [poolLine({ count: 3 })] });
    grantOf(await checkout(new FakeSession('s1'), 'ann', { count: 2 }));
    expect(await checkout(new FakeSession('s2'), 'bob', { count: 2 })).toMatchObject({ type: 'denied', code: -4 });
    grantOf(await checkout(new FakeSession('s2'), 'bob', { count: 1 }));
  });

  it('denies a feature no license line names (-5)', async () => {
    const { checkout, log } = serverWith();
    expect(await checkout(new FakeSession('s1'), 'ann', { feature: 'nosuch' })).toMatchObject({ type: 'denied', code: -5 });
    expect(log.durableOps).toEqual([]);
  });

  it('honours the options file: an EXCLUDEd user is denied (-38), others are granted', async () => {
    const { checkout } = serverWith({ options: 'EXCLUDE f1 USER bob\n' });
    expect(await checkout(new FakeSession('s1'), 'bob')).toMatchObject({ type: 'denied', code: -38 });
    grantOf(await checkout(new FakeSession('s2'), 'ann'));
  });

  it('a standby sends the client to the master; with no master it denies as not serving, and writes nothing', async () => {
    const { checkout, gate, log } = serverWith();
    gate.becomes('standby', { host: 'lic2', port: 27001 });
    expect(await checkout(new FakeSession('s1'), 'ann')).toMatchObject({ type: 'redirect', host: 'lic2', port: 27001 });
    gate.becomes('no-quorum', null);
    const denied = await checkout(new FakeSession('s1'), 'ann');
    expect(denied.type).toBe('denied');
    expect(log.durableOps).toEqual([]);
  });

  it('a grant refused by the disk guard is denied before anything is decided', async () => {
    const { checkout, log, inUse } = serverWith({
      refuseNewGrant: () => ({ code: 'DISK_FULL', major: -93, minor: 999, reason: 'the disk is full' }),
    });
    expect(await checkout(new FakeSession('s1'), 'ann')).toMatchObject({ type: 'denied', code: -93, reason: 'the disk is full' });
    expect(log.durableOps).toEqual([]);
    expect(inUse()).toBe(0);
  });

  it('answers "granted" only once the grant is durable', async () => {
    const { checkout, log } = serverWith();
    log.mode = 'held';
    const reply = checkout(new FakeSession('s1'), 'ann');
    expect(await settled(reply)).toBe(false);
    const commit = log.next();
    expect(commit.op.kind).toBe('grant');
    commit.durable();
    grantOf(await reply);
  });

  it('a grant that cannot be made durable is not granted, and its seat is not leaked', async () => {
    const { checkout, log, inUse } = serverWith({ lines: [poolLine({ count: 1 })] });
    log.mode = 'failing';
    const failed = await checkout(new FakeSession('s1'), 'ann');
    expect(failed.type).not.toBe('granted');
    expect(inUse()).toBe(0);
    log.mode = 'now';
    grantOf(await checkout(new FakeSession('s2'), 'bob'));
  });

  it('a resume token gives the client its own seat back, with no new grant', async () => {
    const { checkout, log, inUse } = serverWith({ lines: [poolLine({ count: 1 })] });
    const first = grantOf(await checkout(new FakeSession('s1'), 'ann'));
    const resumed = grantOf(await checkout(new FakeSession('s2'), 'ann', { resumeToken: first.resumeToken }));
    expect(resumed).toMatchObject({ leaseId: first.leaseId, resumed: true });
    expect(log.opsOfKind('grant')).toHaveLength(1);
    expect(inUse()).toBe(1);
  });
});

describe('checkin', () => {
  it('frees the seat only once the release is durable', async () => {
    const { checkout, checkin, log, inUse } = serverWith({ lines: [poolLine({ count: 1 })] });
    const ann = new FakeSession('s1');
    const grant = grantOf(await checkout(ann, 'ann'));
    log.mode = 'held';
    const reply = checkin(ann, grant.leaseId);
    await settled(reply);
    expect(log.pending.map((commit) => commit.op)).toEqual([expect.objectContaining({ kind: 'checkin', leaseId: grant.leaseId })]);
    expect(inUse()).toBe(1);
    expect(await checkout(new FakeSession('s2'), 'bob')).toMatchObject({ type: 'denied', code: -4 });
    log.next().durable();
    expect(await reply).toMatchObject({ type: 'checkedIn', leaseId: grant.leaseId });
    expect(inUse()).toBe(0);
    log.mode = 'now';
    grantOf(await checkout(new FakeSession('s2'), 'bob'));
  });

  it('a release that cannot be made durable keeps the seat taken until its timeout', async () => {
    const { checkout, checkin, log, inUse, runFor } = serverWith({ lines: [poolLine({ count: 1 })] });
    const ann = new FakeSession('s1');
    const grant = grantOf(await checkout(ann, 'ann'));
    log.mode = 'failing';
    expect(await checkin(ann, grant.leaseId)).toMatchObject({ type: 'checkedIn' });
    expect(inUse()).toBe(1);
    log.mode = 'now';
    await runFor(SEAT_TIMEOUT_MS + HEARTBEAT_MS);
    expect(inUse()).toBe(0);
    expect(log.opsOfKind('reclaim')).toEqual([expect.objectContaining({ leaseId: grant.leaseId })]);
  });

  it('only the holding connection, or one with the resume token, may check a seat in', async () => {
    const { checkout, checkin, inUse } = serverWith();
    const grant = grantOf(await checkout(new FakeSession('s1'), 'ann'));
    const stranger = new FakeSession('s2');
    expect(await checkin(stranger, grant.leaseId)).toMatchObject({ type: 'refused' });
    expect(inUse()).toBe(1);
    expect(await checkin(stranger, grant.leaseId, grant.resumeToken)).toMatchObject({ type: 'checkedIn' });
    expect(inUse()).toBe(0);
  });

  it('a seat already checked in is refused', async () => {
    const { checkout, checkin } = serverWith();
    const ann = new FakeSession('s1');
    const grant = grantOf(await checkout(ann, 'ann'));
    await checkin(ann, grant.leaseId);
    expect(await checkin(ann, grant.leaseId)).toMatchObject({ type: 'refused' });
  });

  it('LINGER keeps the seat taken after checkin until the linger ends', async () => {
    const { checkout, checkin, inUse, runFor, service, log } = serverWith({ lines: [poolLine({ count: 1, linger: 10 })] });
    const ann = new FakeSession('s1');
    const grant = grantOf(await checkout(ann, 'ann'));
    await checkin(ann, grant.leaseId);
    expect(inUse()).toBe(1);
    expect(await checkout(new FakeSession('s2'), 'bob')).toMatchObject({ type: 'denied', code: -4 });
    await runFor(4_000);
    expect(service.status().features[0].users[0].linger).toEqual({ total: 10, remaining: 6 });
    expect(log.opsOfKind('reclaim')).toEqual([]);
    await runFor(6_500);
    expect(inUse()).toBe(0);
    // the ended linger leaves the lease table too
    expect(log.opsOfKind('reclaim')).toEqual([expect.objectContaining({ leaseId: grant.leaseId })]);
    grantOf(await checkout(new FakeSession('s2'), 'bob'));
  });

  it('the user whose seat lingers gets it back at once', async () => {
    const { checkout, checkin, inUse } = serverWith({ lines: [poolLine({ count: 1, linger: 60 })] });
    const ann = new FakeSession('s1');
    await checkin(ann, grantOf(await checkout(ann, 'ann')).leaseId);
    grantOf(await checkout(ann, 'ann'));
    expect(inUse()).toBe(1);
  });
});

describe('heartbeats and seat timeouts on the injected clock', () => {
  it('a heartbeating client keeps its seat; a silent one loses it after the timeout, and is told', async () => {
    const { checkout, heartbeat, inUse, runFor, log } = serverWith({ lines: [poolLine({ count: 2 })] });
    const ann = new FakeSession('s1');
    const bob = new FakeSession('s2');
    const annSeat = grantOf(await checkout(ann, 'ann'));
    const bobSeat = grantOf(await checkout(bob, 'bob'));
    for (let beat = 0; beat < 5; beat++) {
      await runFor(HEARTBEAT_MS);
      expect(await heartbeat(ann, annSeat.leaseId)).toMatchObject({ type: 'heartbeatAck', unknown: [] });
    }
    expect(inUse()).toBe(1);
    expect(log.opsOfKind('reclaim')).toEqual([expect.objectContaining({ leaseId: bobSeat.leaseId })]);
    expect(bob.received).toEqual([expect.objectContaining({ type: 'revoked', leaseIds: [bobSeat.leaseId] })]);
    expect(ann.received).toEqual([]);
    expect(await heartbeat(bob, bobSeat.leaseId)).toMatchObject({ type: 'heartbeatAck', unknown: [bobSeat.leaseId] });
  });

  it('is not reclaimed a moment before the timeout', async () => {
    const { checkout, inUse, runFor } = serverWith();
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    await runFor(SEAT_TIMEOUT_MS - HEARTBEAT_MS / 2);
    expect(inUse()).toBe(1);
  });

  it('heartbeats from another connection do not keep a seat', async () => {
    const { checkout, heartbeat } = serverWith();
    const grant = grantOf(await checkout(new FakeSession('s1'), 'ann'));
    expect(await heartbeat(new FakeSession('s2'), grant.leaseId)).toMatchObject({ unknown: [grant.leaseId] });
  });

  it('a reclaim that cannot be made durable leaves the seat taken', async () => {
    const { checkout, inUse, runFor, log } = serverWith();
    const ann = new FakeSession('s1');
    grantOf(await checkout(ann, 'ann'));
    log.mode = 'failing';
    await runFor(2 * SEAT_TIMEOUT_MS);
    expect(inUse()).toBe(1);
    expect(ann.received).toEqual([]);
  });

  it('a pause of the whole process (a late sweep) restarts the timeouts instead of reclaiming', async () => {
    const { checkout, inUse, clock, service } = serverWith();
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    await service.sweep();
    clock.advance(10 * SEAT_TIMEOUT_MS);
    await service.sweep();
    expect(inUse()).toBe(1);
  });

  it('a standby reclaims nothing: seats are the master’s to take back', async () => {
    const { checkout, gate, runFor, log } = serverWith({ log: new FakeLeaseLog(true) });
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    gate.becomes('standby', { host: 'lic2', port: 27000 });
    await runFor(2 * SEAT_TIMEOUT_MS);
    expect(log.opsOfKind('reclaim')).toEqual([]);
  });
});

describe('admin commands', () => {
  it('lmremove takes a user’s seat back once durable, and tells its holder', async () => {
    const { checkout, admin, log, inUse } = serverWith();
    const ann = new FakeSession('s1');
    const grant = grantOf(await checkout(ann, 'ann'));
    const reply = await admin({ type: 'lmremove', token: TOKEN, feature: 'f1', user: 'ann', host: 'ann-ws', display: ':0' });
    expect(reply).toMatchObject({ type: 'done' });
    expect(inUse()).toBe(0);
    expect(log.opsOfKind('remove')).toEqual([expect.objectContaining({ leaseId: grant.leaseId })]);
    expect(ann.received).toEqual([expect.objectContaining({ type: 'revoked', leaseIds: [grant.leaseId] })]);
  });

  it('lmremove -h takes one seat by its handle', async () => {
    const { checkout, admin, inUse } = serverWith();
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    const bob = grantOf(await checkout(new FakeSession('s2'), 'bob'));
    expect(await admin({ type: 'lmremove', token: TOKEN, feature: 'f1', handle: bob.handle })).toMatchObject({ type: 'done' });
    expect(inUse()).toBe(1);
    expect(await admin({ type: 'lmremove', token: TOKEN, feature: 'f1', handle: bob.handle })).toMatchObject({ type: 'refused' });
  });

  it('a removal that cannot be made durable is refused and the seat stays', async () => {
    const { checkout, admin, log, inUse } = serverWith();
    const ann = new FakeSession('s1');
    grantOf(await checkout(ann, 'ann'));
    log.mode = 'failing';
    expect(await admin({ type: 'lmremove', token: TOKEN, feature: 'f1', user: 'ann', host: 'ann-ws', display: ':0' })).toMatchObject({ type: 'refused' });
    expect(inUse()).toBe(1);
    expect(ann.received).toEqual([]);
  });

  it('lmremove on a standby is refused and names the master', async () => {
    const { checkout, admin, gate, inUse } = serverWith({ log: new FakeLeaseLog(true) });
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    gate.becomes('standby', { host: 'lic2', port: 27001 });
    const reply = await admin({ type: 'lmremove', token: TOKEN, feature: 'f1', user: 'ann', host: 'ann-ws', display: ':0' });
    expect(reply).toMatchObject({ type: 'refused', reason: expect.stringContaining('27001@lic2') });
    expect(inUse()).toBe(1);
  });

  it('admin commands need the token; a wrong one is audited and repeated failures lock the address out', async () => {
    const { admin, audits, inUse, checkout } = serverWith();
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    const intruder = new FakeSession('s9');
    const remove = { type: 'lmremove', feature: 'f1', user: 'ann', host: 'ann-ws', display: ':0' } as const;
    expect(await admin(remove, intruder)).toMatchObject({ type: 'refused', code: 'ADMIN_TOKEN' });
    expect(await admin({ ...remove, token: 'guess' }, intruder)).toMatchObject({ type: 'refused', code: 'ADMIN_TOKEN' });
    expect(await admin({ ...remove, token: 'guess' }, intruder)).toMatchObject({ type: 'refused', code: 'LOCKED_OUT' });
    expect(audits.map((row) => row.action)).toEqual(['lmremove refused', 'lmremove refused', 'admin lockout']);
    expect(inUse()).toBe(1);
    // the right token still gets in
    expect(await admin({ ...remove, token: TOKEN }, intruder)).toMatchObject({ type: 'done' });
  });

  it('admin from another machine is refused while remote admin is off, even with the token', async () => {
    const { admin } = serverWith();
    expect(await admin({ type: 'lmreread', token: TOKEN }, new FakeSession('s1', '192.0.2.7'))).toMatchObject({ type: 'refused', code: 'REMOTE_ADMIN' });
  });

  it('lmreread serves the new files at once; held seats stay', async () => {
    let seats = 1;
    const { checkout, admin, service } = serverWith({ lines: [poolLine({ count: seats })], reread: () => servingConfig([poolLine({ count: seats })]) });
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    expect(await checkout(new FakeSession('s2'), 'bob')).toMatchObject({ type: 'denied', code: -4 });
    seats = 3;
    expect(await admin({ type: 'lmreread', token: TOKEN })).toMatchObject({ type: 'done' });
    expect(service.status().features[0]).toMatchObject({ issued: 3, inUse: 1 });
    grantOf(await checkout(new FakeSession('s2'), 'bob'));
  });

  it('an lmreread of broken files is refused and the server keeps serving the previous ones', async () => {
    const { checkout, admin, service } = serverWith({
      reread: () => {
        throw new Error('test.lic:3: FEATURE line has no count');
      },
    });
    const reply = await admin({ type: 'lmreread', token: TOKEN });
    expect(reply).toMatchObject({ type: 'refused', reason: expect.stringContaining('test.lic:3: FEATURE line has no count') });
    expect(service.status().features[0]).toMatchObject({ name: 'f1', issued: 2 });
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
  });

  it('lmdown is refused while seats are out, unless forced; forced, it asks the host to stop', async () => {
    const { checkout, admin, shutdowns } = serverWith();
    grantOf(await checkout(new FakeSession('s1'), 'ann'));
    expect(await admin({ type: 'lmdown', token: TOKEN })).toMatchObject({ type: 'refused', code: 'SEATS_OUT' });
    expect(await admin({ type: 'lmdown', token: TOKEN, force: true })).toMatchObject({ type: 'done' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(shutdowns).toHaveLength(1);
  });
});

describe('status snapshot', () => {
  it('shows pools, seats in use and their holders, without lease ids', async () => {
    const { checkout, service, clock } = serverWith({ lines: [poolLine({ count: 3 })] });
    const grant = grantOf(await checkout(new FakeSession('s1'), 'ann', { count: 2 }));
    const status = service.status();
    expect(status).toMatchObject({ takenAt: clock.wallMs(), host: 'lic1', port: 27000, role: 'master', master: 'lic1', mode: 'single' });
    expect(status.vendors).toEqual([expect.objectContaining({ name: 'ibmratl', up: true })]);
    expect(status.features).toEqual([expect.objectContaining({ name: 'f1', issued: 3, inUse: 2, kind: 'floating', served: true })]);
    const [user] = status.features[0].users;
    expect(user).toMatchObject({ user: 'ann', host: 'ann-ws', count: 2, handle: grant.handle, linger: null });
    expect(JSON.stringify(status)).not.toContain(grant.leaseId);
    expect(JSON.stringify(status)).not.toContain(grant.resumeToken);
  });

  it('is answered to a status request from anyone, on any role', async () => {
    const { service, gate } = serverWith();
    gate.becomes('standby', { host: 'lic2', port: 27000 });
    const reply = await service.handle({ type: 'status', id: 7 }, new FakeSession('s1'));
    expect(reply).toMatchObject({ type: 'statusReply', id: 7, status: { role: 'standby', master: 'lic2' } });
  });

  it('a triad standby shows the replicated lease table', () => {
    const { service, gate } = serverWith({ log: new FakeLeaseLog(true, [heldLease('ann')]) });
    gate.becomes('standby', { host: 'lic2', port: 27000 });
    expect(service.status().features[0]).toMatchObject({ inUse: 1, users: [expect.objectContaining({ user: 'ann' })] });
  });
});

describe('mastership changes', () => {
  it('a new term’s master serves exactly the seats its log holds', async () => {
    const { service, gate, log, checkout } = serverWith({ log: new FakeLeaseLog(true), lines: [poolLine({ count: 1 })] });
    gate.becomes('standby', { host: 'lic2', port: 27000 });
    log.replicate({ kind: 'grant', lease: heldLease('bob') });
    expect(service.leases()).toEqual([]);
    gate.becomes('master', null, 2);
    expect(service.leases().map((lease) => lease.user)).toEqual(['bob']);
    expect(await checkout(new FakeSession('s1'), 'ann')).toMatchObject({ type: 'denied', code: -4 });
  });
});

/** A seat of `f1` another master granted, as a replicated lease table holds it. */
function heldLease(user: string): Lease {
  return {
    leaseId: `old-${user}`,
    poolKey: poolKeyOf(poolLine()),
    feature: 'f1',
    vendor: 'ibmratl',
    version: '1.0',
    user,
    host: `${user}-ws`,
    display: ':0',
    ip: '10.0.0.1',
    project: null,
    count: 1,
    grantedAt: 1_780_000_000_000,
    resumeToken: `rt-${user}`,
    clientId: 'c-old',
    server: 'lic2',
    handle: 1,
    lingerSeconds: 0,
    lingerUntilMs: null,
  };
}
