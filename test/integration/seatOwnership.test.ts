import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/backend';
import { checkout, type CheckoutRequest, type HeldLicense } from '../../src/core/client/checkout';
import { ServerConnection } from '../../src/core/client/connection';
import { makeTempDir } from '../support/tempDir';
import { startSingleServer } from '../support/singleServer';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';

/**
 * Issue 20, hole 1: a seat belongs to the connection it was granted on, or to whoever holds its
 * resume token. Another client that learns (or guesses) a lease id can neither keep it alive nor
 * check it in, and the status that anyone may ask for never shows lease ids.
 */

const request = (user: string): CheckoutRequest => ({ feature: 'Owned', version: '1.0', count: 1, user, host: 'ws', display: ':0' });

describe('seat ownership', () => {
  const temp = makeTempDir('triad-owner-');
  let backend: Backend;
  let server: { host: string; port: number };
  afterAll(async () => {
    await backend.stop('test finished');
    temp.remove();
  });
  beforeAll(async () => {
    const license = writeSignedLicense(temp.dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], features: [{ name: 'Owned', count: 1 }] });
    backend = await startSingleServer(license, path.join(temp.dir, 'data'));
    server = { host: '127.0.0.1', port: backend.address.port };
  });

  async function alice(): Promise<HeldLicense> {
    const granted = await checkout([server], request('alice'));
    if (granted.kind !== 'granted') throw new Error(`expected a grant, got ${JSON.stringify(granted)}`);
    return granted.license;
  }

  it('status, which any client may ask for, never shows a lease id or a resume token', async () => {
    const held = await alice();
    const mallory = await ServerConnection.open(server);
    const reply = await mallory.request({ type: 'status' });
    const text = JSON.stringify(reply);
    expect(text).toContain('alice');
    expect(text).not.toContain(held.details.leaseId);
    expect(text).not.toContain(held.details.resumeToken);
    mallory.close();
    expect(await held.checkin()).toMatchObject({ confirmed: true });
  });

  it("another connection can neither heartbeat nor check in someone else's seat, nor take it over", async () => {
    const held = await alice();
    let lost: string | null = null;
    held.on('lost', (reason) => (lost = reason));
    const leaseId = held.details.leaseId;
    const mallory = await ServerConnection.open(server);

    const beat = await mallory.request({ type: 'heartbeat', leaseIds: [leaseId] });
    expect(beat).toMatchObject({ type: 'heartbeatAck', unknown: [leaseId] });
    const checkin = await mallory.request({ type: 'checkin', leaseId });
    expect(checkin.type).toBe('refused');
    expect(checkin.type === 'refused' && checkin.reason).toMatch(/not held by this connection/);
    // the seat is still alice's: a second checkout by mallory is denied, alice's heartbeats go on
    const taken = await mallory.request({ type: 'checkout', ...request('mallory') });
    expect(taken.type).toBe('denied');
    const own = await (held as unknown as { connection: ServerConnection }).connection.request({ type: 'heartbeat', leaseIds: [leaseId] });
    expect(own).toMatchObject({ type: 'heartbeatAck', unknown: [] });
    expect(backend.status().features[0].inUse).toBe(1);
    expect(lost).toBeNull();
    mallory.close();
    expect(await held.checkin()).toMatchObject({ confirmed: true });
    expect(backend.status().features[0].inUse).toBe(0);
  });

  it('the holder of the resume token may check the seat in from a new connection', async () => {
    const held = await alice();
    const other = await ServerConnection.open(server);
    const wrongToken = await other.request({ type: 'checkin', leaseId: held.details.leaseId, resumeToken: 'not-the-token' });
    expect(wrongToken.type).toBe('refused');
    const reply = await other.request({ type: 'checkin', leaseId: held.details.leaseId, resumeToken: held.details.resumeToken });
    expect(reply).toMatchObject({ type: 'checkedIn', leaseId: held.details.leaseId });
    expect(backend.status().features[0].inUse).toBe(0);
    other.close();
    // the original holder's checkin now finds nothing to return, and says so
    expect(await held.checkin()).toMatchObject({ confirmed: false });
  });

  it('lmremove takes one seat by the handle lmstat shows, and tells its holder', async () => {
    const held = await alice();
    const revoked = new Promise<string>((resolve) => held.on('lost', resolve));
    const [user] = backend.status().features[0].users;
    expect(user.handle).toBe(held.details.handle);
    expect(await backend.admin({ type: 'lmremove', feature: 'Owned', handle: user.handle + 1000 })).toMatchObject({ ok: false, message: expect.stringMatching(/handle/) });
    expect(await backend.admin({ type: 'lmremove', feature: 'Owned', handle: user.handle })).toEqual({
      ok: true,
      message: 'removed 1 license of "Owned" held by alice@ws',
    });
    expect(await revoked).toMatch(/lmremove/);
    expect(backend.status().features[0].inUse).toBe(0);
  });
});
