import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Backend } from '../../src/core/backend';
import { checkout } from '../../src/core/client/checkout';
import { formatLmstatText, type ServerReport } from '../../src/core/lmstat';
import { makeTempDir } from '../support/tempDir';
import { startSingleServer } from '../support/singleServer';
import { TEST_HOSTID, writeSignedLicense, type TestLicense } from '../support/signedLicense';

/**
 * Issue 15, "Found" bullets about what lmstat shows of a live server (in-process, real sockets):
 * RESERVATION lines once per feature, and an unserved feature's count from the file.
 */

const temp = makeTempDir('triad-lmstat-found-');
const running: Backend[] = [];
afterAll(async () => {
  await Promise.all(running.map((backend) => backend.stop('test finished')));
  temp.remove();
});

const clock = { nowMs: Date.UTC(2026, 5, 15, 12), timeZone: 'UTC' };

/** A single server on 127.0.0.1 serving `license` (signed), in its own folder `name`. */
async function startServer(name: string, license: Omit<TestLicense, 'servers'>): Promise<Backend> {
  const dir = path.join(temp.dir, name);
  const written = writeSignedLicense(dir, { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID }], ...license });
  const backend = await startSingleServer(written, path.join(dir, 'data'));
  running.push(backend);
  return backend;
}

function reportOf(backend: Backend): ServerReport {
  const { host, port } = backend.address;
  return { members: [{ host, port }], probes: [{ host, port, status: backend.status() }] };
}

describe('lmstat of a live server', () => {
  it('prints a RESERVE once per feature, under its first pool, with the seats it holds there', async () => {
    const backend = await startServer('reserve', {
      features: [
        { name: 'DOORS', count: 2, version: '1.0' },
        { name: 'DOORS', count: 3, version: '2.0' },
      ],
      options: 'GROUP eng ann ben\nRESERVE 2 DOORS GROUP eng\n',
    });
    const held = await checkout([{ host: '127.0.0.1', port: backend.address.port }], {
      feature: 'DOORS',
      version: '1.0',
      count: 1,
      user: 'zed',
      host: 'ws9',
      display: ':0',
    });
    expect(held.kind).toBe('granted');

    const text = formatLmstatText([reportOf(backend)], { usage: 'all' }, clock);
    expect(text.match(/RESERVATION/g)).toHaveLength(1);
    expect(text).toMatch(/^\t2 RESERVATIONs for GROUP eng \(127\.0\.0\.1\/\d+\)$/m);
    expect(text.indexOf('RESERVATION')).toBeLessThan(text.indexOf('"DOORS" v2.0'));
    if (held.kind === 'granted') await held.license.checkin();
  });

  it('counts reserved seats nobody holds as in use and prints the reservations still open, as lmutil does', async () => {
    // real lmstat (app6 sample; OpenLM "How FLEXlm displays reserved licenses"): an unused reservation is
    // "in use", and a reserved seat its group takes replaces the RESERVATION line by the user's line
    const backend = await startServer('reserve-in-use', {
      features: [{ name: 'DOORS', count: 5 }],
      options: 'GROUP eng ann ben\nRESERVE 2 DOORS GROUP eng\n',
    });
    const lmstat = () => formatLmstatText([reportOf(backend)], { usage: 'all' }, clock);
    const take = async (user: string) => {
      const server = { host: '127.0.0.1', port: backend.address.port };
      const held = await checkout([server], { feature: 'DOORS', version: '1.0', count: 1, user, host: 'ws', display: ':0' });
      if (held.kind !== 'granted') throw new Error(`${user}: ${JSON.stringify(held)}`);
      return held.license;
    };

    expect(lmstat()).toContain('Users of DOORS:  (Total of 5 licenses issued;  Total of 2 licenses in use)\n');
    expect(lmstat()).toMatch(/^\t2 RESERVATIONs for GROUP eng \(127\.0\.0\.1\/\d+\)$/m);
    const ann = await take('ann');
    expect(lmstat()).toContain('Total of 2 licenses in use)\n');
    expect(lmstat()).toMatch(/^\t1 RESERVATION for GROUP eng /m);
    const zed = await take('zed');
    expect(lmstat()).toContain('Total of 3 licenses in use)\n');
    const ben = await take('ben');
    expect(lmstat()).toContain('Total of 3 licenses in use)\n');
    expect(lmstat()).not.toContain('RESERVATION');
    await Promise.all([ann, zed, ben].map((held) => held.checkin()));
    expect(lmstat()).toContain('Total of 2 licenses in use)\n');
  });

  it("shows an unserved feature with the file's count, not 0", async () => {
    const backend = await startServer('unserved', {
      features: [
        { name: 'Live', count: 1 },
        { name: 'Tau', count: 4, expiry: '01-jan-2020' },
      ],
    });
    const text = formatLmstatText([reportOf(backend)], { usage: 'all' }, clock);
    expect(text).toContain('Users of Tau:  (Error: 4 licenses, unsupported by licensed server)\n');
  });
});
