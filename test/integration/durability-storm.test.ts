import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import { databaseFile } from '../../src/core/store/store';
import { makeTempDir } from '../support/tempDir';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';

// Issue 7, durability: SIGKILL one `triad serve` 20 times during a checkout storm. After every
// restart each grant a client was told about is in the report log, and the database is intact.
const KILLS = 20;
const STORM_CLIENTS = 24;
const host = '127.0.0.1';
// the first start lets the system pick the port; restarts reuse it
let port = 0;
const temp = makeTempDir('triad-durability-');
const dataDir = path.join(temp.dir, 'data');
let server: TriadChild | null = null;
afterAll(async () => {
  if (server) await stopChild(server, 2_000);
  temp.remove();
});

const license = writeSignedLicense(temp.dir, {
  servers: [{ host, hostid: TEST_HOSTID }],
  features: [{ name: 'cad', count: 100, keyword: 'FEATURE' }],
});

async function startServer(): Promise<TriadChild> {
  const child = await spawnTriad([
    'serve', '-c', license.licensePath, '--hostid', TEST_HOSTID, '--data', dataDir, '--trust', license.publicKeyPath,
    '--bind', host, '--port', String(port),
    // seats stranded by a kill (granted, never checked in) come back 0.3 s after the restart, so the storm goes on
    '--client-heartbeat', '100',
  ]);
  const ready = await child.waitForLine(/ready on/, 30_000);
  port = Number(/ready on (\d+)@/.exec(ready)![1]);
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durability under SIGKILL during a checkout storm', () => {
  it(`after each of ${KILLS} kills, every acknowledged grant is in the report log and integrity_check is ok`, async () => {
    /** Lease ids of every grant a client heard; one heard after a kill is checked after the next. */
    const acknowledged = new Set<string>();
    let storming = true;
    let denials = 0;
    let failures = 0;
    let lastDenial = '';
    // each storm client checks out and checks in at once, over and over; kills cut some mid-way
    const storm = Array.from({ length: STORM_CLIENTS }, async (_, client) => {
      while (storming) {
        const result = await checkout(
          [{ host, port }],
          { feature: 'cad', version: '1.0', count: 1, user: `storm${client}`, host: `box${client}`, display: `/dev/pts/${client}` },
          { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 },
        );
        if (result.kind === 'granted') {
          acknowledged.add(result.license.details.leaseId);
          await result.license.checkin();
        } else if (result.kind === 'denied') {
          denials++;
          lastDenial = result.reason;
        }
        else {
          failures++;
          await sleep(50);
        }
      }
    });

    const rounds: { grantsSoFar: number; missing: string[]; integrity: string }[] = [];
    try {
      server = await startServer();
      for (let kill = 0; kill < KILLS; kill++) {
        await sleep(300 + Math.floor(Math.random() * 500));
        server.child.kill('SIGKILL');
        await server.exited;
        // what clients heard before the kill; nothing granted can arrive after it
        const told = [...acknowledged];
        server = await startServer();
        const db = new Database(path.join(dataDir, databaseFile), { readonly: true, fileMustExist: true });
        try {
          const logged = new Set((db.prepare("SELECT lease_id FROM report_log WHERE event = 'OUT'").all() as { lease_id: string }[]).map((r) => r.lease_id));
          const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
          rounds.push({ grantsSoFar: told.length, missing: told.filter((leaseId) => !logged.has(leaseId)), integrity });
        } finally {
          db.close();
        }
      }
    } finally {
      storming = false;
      await Promise.all(storm);
    }

    const summary = [
      `${denials} denials (last: ${lastDenial || 'none'}), ${failures} unreachable attempts`,
      ...rounds.map((r, i) => {
        const newlyMissing = r.missing.filter((leaseId) => !rounds[i - 1]?.missing.includes(leaseId));
        const missing = `${r.missing.length} (new: ${newlyMissing.join(' ') || 'none'})`;
        return `kill ${i + 1}: ${r.grantsSoFar} grants told, missing from the report log: ${missing}, integrity ${r.integrity}`;
      }),
    ].join('\n');
    console.log(summary);
    expect(rounds).toHaveLength(KILLS);
    // the storm really stormed: grants kept coming between the kills
    const roundsWithGrants = rounds.filter((r, i) => r.grantsSoFar > (rounds[i - 1]?.grantsSoFar ?? 0)).length;
    expect(roundsWithGrants, summary).toBeGreaterThanOrEqual(KILLS - 2);
    for (const round of rounds) {
      expect(round.integrity, summary).toBe('ok');
      expect(round.missing, summary).toEqual([]);
    }
  });
});
