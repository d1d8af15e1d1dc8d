import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/core/backend';
import { createTriad } from '../../../src/core/server/triad/createTriad';
import { importClusterSecret } from '../../../src/core/store/secrets';
import { shareClusterSecret } from '../../support/clusterSecret';
import { freePort } from '../../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';

/**
 * Issue 20, "a triad that explains itself": every member writes its own quorum events to its own
 * debug log (standbys too), the status says why a member is out (a different cluster secret is
 * not "not reachable"), and after a failover the new master's log says the master was lost
 * instead of claiming a connection to the dead one.
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-events-');
const running: Backend[] = [];
afterAll(async () => {
  await Promise.all(running.map((backend) => backend.stop('test finished')));
  temp.remove();
});

async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function triad(name: string) {
  const dir = path.join(temp.dir, name);
  const port = await freePort();
  const license = writeSignedLicense(dir, { servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features: [{ name: 'Explained', count: 2 }] });
  const dataDirs = hosts.map((_, rank) => path.join(dir, `data-${rank}`));
  shareClusterSecret(dataDirs);
  const start = async (rank: number) => {
    const backend = await createBackend({
      licensePath: license.licensePath,
      trustFiles: [license.publicKeyPath],
      dataDir: dataDirs[rank]!,
      hostid: TEST_HOSTID,
      as: hosts[rank],
      triad: createTriad,
    });
    running.push(backend);
    return backend;
  };
  return { dataDirs, start };
}

const messages = (backend: Backend) => backend.store.debugLog.query({ limit: 10_000 }).map((line) => line.message);

describe('a triad that explains itself', () => {
  it('standbys log their own quorum events; after a failover the new master says the master was lost', async () => {
    const { start } = await triad('failover');
    const primary = await start(0);
    const secondary = await start(1);
    const tertiary = await start(2);
    await eventually(() => primary.status().role === 'master' && primary.status().members.every((m) => m.up), 10_000, 'quorum');
    await eventually(() => messages(secondary).includes('Quorum: the master is the primary 127.0.0.1 (epoch 1)'), 3_000, 'standby names its master');
    expect(messages(secondary)).toContain('Quorum: the primary 127.0.0.1 joined (authenticated link)');
    expect(messages(tertiary)).toContain('Quorum: the secondary 127.0.0.2 joined (authenticated link)');

    await primary.stop('the primary is switched off');
    await eventually(() => secondary.status().role === 'master', 10_000, 'failover');
    await eventually(() => messages(secondary).some((m) => m.startsWith('Redundant server quorum established')), 3_000, 'master lines');
    const log = messages(secondary);
    const lost = log.indexOf('Quorum: lost the master, the primary 127.0.0.1');
    const established = log.indexOf('Redundant server quorum established. Master is 127.0.0.2');
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThan(established);
    expect(log).toContainEqual(expect.stringMatching(/^Quorum: lost the primary 127\.0\.0\.1 \(its link closed\)$/));
    // nothing written after the primary was lost claims a link to it (FlexNet's bring-up lines
    // of a standby were kept and written when it became master, long after that link was gone)
    expect(log.slice(lost).filter((m) => m.includes('127.0.0.1') && /Established connection|Connected to/.test(m))).toEqual([]);
    expect(messages(tertiary)).toContain('Quorum: lost the master, the primary 127.0.0.1');
  }, 60_000);

  it('a member with another cluster secret: both sides log why within 5 s, and the status gives that reason, not "not reachable"', async () => {
    const { dataDirs, start } = await triad('odd-secret');
    importClusterSecret(dataDirs[2]!, 'e4'.repeat(32));
    const primary = await start(0);
    await start(1);
    const started = Date.now();
    const odd = await start(2);
    await eventually(
      () => messages(primary).some((m) => /^Refused redundant server connection with 127\.0\.0\.3:\d+: its proof does not match our cluster secret/.test(m)),
      5_000,
      'the primary logs why',
    );
    await eventually(() => messages(odd).some((m) => /^Refused redundant server connection with 127\.0\.0\.1:\d+: .*different cluster secrets/.test(m)), 5_000, 'the odd member logs why');
    expect(Date.now() - started).toBeLessThan(5_000);
    const seenByPrimary = primary.status().members[2]!;
    expect(seenByPrimary.up).toBe(false);
    expect(seenByPrimary.problem).toMatch(/^refused: its proof does not match our cluster secret/);
    expect(odd.status().role).toBe('no-quorum');
    expect(odd.status().members[0]!.problem).toMatch(/^refused: .*different cluster secrets/);
  }, 60_000);
});
