import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../src/core/backend';
import type { HeldLicense } from '../../src/core/client/checkout';
import { checkoutAttempt } from '../../src/core/client/searchAttempts';
import { probeTargets } from '../../src/core/client/searchStatus';
import { createLicenseSearch } from '../../src/core/client/searchTargets';
import { formatLmstatText } from '../../src/core/lmstat';
import { createTriad } from '../../src/core/server/triad/createTriad';
import { shareClusterSecret } from '../support/clusterSecret';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { freePort } from '../support/freePort';

/**
 * Issue 5 acceptance, triad part, on loopback: a triad on 127.0.0.1/.2/.3 whose primary is down,
 * so the secondary is master. Members run in-process (createBackend with the triad driver).
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-search-triad-');
const members: Backend[] = [];
const held: HeldLicense[] = [];
let port = 0;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const request = (user: string) => ({ feature: 'DOORS', version: '1.0', count: 1, user, host: 'ws', display: 'console' });
const options = { connectTimeoutMs: 2000, agent: 'client-search triad test' };

async function checkoutWith(commandLine: string, user: string) {
  const { search, problems } = createLicenseSearch({ commandLine, env: {}, platform: 'unix' });
  expect(problems).toEqual([]);
  const outcome = await search.run(checkoutAttempt(request(user), options));
  if (outcome.kind === 'granted') held.push(outcome.value);
  return outcome;
}

beforeAll(async () => {
  port = await freePort(hosts[1]);
  const license = writeSignedLicense(temp.dir, {
    servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
    features: [{ name: 'DOORS', count: 5 }],
  });
  shareClusterSecret(hosts.map((host) => path.join(temp.dir, host)));
  // The primary stays down: the secondary and the tertiary elect the secondary.
  for (const host of hosts.slice(1)) {
    members.push(
      await createBackend({
        licensePath: license.licensePath,
        dataDir: path.join(temp.dir, host),
        as: host,
        hostid: TEST_HOSTID,
        trustFiles: [license.publicKeyPath],
        triad: createTriad,
      }),
    );
  }
  await until(() => members[0].status().role === 'master', 30_000);
}, 60_000);

afterAll(async () => {
  await Promise.all(held.map((license) => license.checkin()));
  await Promise.all(members.map((member) => member.stop('test over')));
  temp.remove();
});

describe('client search and a triad whose primary is down', () => {
  it('a triad entry finds the secondary as master', async () => {
    const outcome = await checkoutWith(hosts.map((host) => `${port}@${host}`).join(','), 'triad-entry');
    expect(outcome).toMatchObject({ kind: 'granted', server: { host: hosts[1], port } });
    expect(outcome.steps.map((s) => [s.address.host, s.outcome])).toEqual([
      [hosts[0], 'unreachable'],
      [hosts[1], 'granted'],
    ]);
  });

  it("the seed's 27000@server1:27000@server2:27000@server3 form works: three single entries, the first down", async () => {
    const outcome = await checkoutWith(hosts.map((host) => `${port}@${host}`).join(':'), 'seed-form');
    expect(outcome).toMatchObject({ kind: 'granted', server: { host: hosts[1] } });
  });

  it('a single entry naming the tertiary is redirected to the master', async () => {
    const outcome = await checkoutWith(`${port}@${hosts[2]}`, 'via-tertiary');
    expect(outcome).toMatchObject({ kind: 'granted', server: { host: hosts[1], port } });
  });

  it('lmstat reports the three members, the master and the one that is down', async () => {
    const { search } = createLicenseSearch({ commandLine: `${port}@${hosts[2]}`, env: {}, platform: 'unix' });
    const text = formatLmstatText(await probeTargets(search.targets, options), { usage: 'all' }, { nowMs: Date.now(), timeZone: 'UTC' });
    expect(text).toContain(`License server status: ${hosts.map((host) => `${port}@${host}`).join(',')}\n`);
    expect(text).toMatch(/^127\.0\.0\.1: Cannot connect to license server system\. \(-15,570:111 "Connection refused"\)$/m);
    expect(text).toMatch(/^127\.0\.0\.2: license server UP \(MASTER\) v[\d.]+$/m);
    expect(text).toMatch(/^127\.0\.0\.3: license server UP v[\d.]+$/m);
    expect(text).toContain('Vendor daemon status (on 127.0.0.2):');
    expect(text).toContain('Users of DOORS:  (Total of 5 licenses issued;  Total of 3 licenses in use)');
  });
});
