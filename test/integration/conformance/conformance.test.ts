import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout, type HeldLicense } from '../../../src/core/client/checkout';
import { queryStatus } from '../../../src/core/client/searchAttempts';
import type { ClientTls } from '../../../src/core/protocol/tlsPin';
import type { ServerStatus } from '../../../src/shared/status';
import { freePort } from '../../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../../support/signedLicense';
import { selfSignedCertificate } from '../../support/selfSignedCertificate';
import { makeTempDir } from '../../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../../support/triadProcess';
import { seatOf, type Driver } from './driver';
import { startFakeServer, type FakeBehaviour, type FakeServer } from './fakeServer';
import { languageNames, prepareLanguages, sanitizerEnv, type LanguageName, type Languages } from './languages';
import { shareClusterSecret } from '../../support/clusterSecret';

/**
 * One conformance suite for every client implementation (C, Python, and the Node reference
 * client), run against real `triad serve` processes: a single server, a triad of three, a TLS
 * server, and fake servers that send garbage. Each language's driver (README.md) is told what to
 * do; the suite checks what it answers and what the servers see. Servers are shared between
 * cases; the slow cases (timeouts, failover) run all languages at once.
 */

const exec = promisify(execFile);
const temp = makeTempDir('triad-conformance-');
const children: TriadChild[] = [];
const drivers: Driver[] = [];
const heldBySuite: HeldLicense[] = [];
const fakes = new Map<FakeBehaviour, FakeServer>();
let languages: Languages;

/** Clients heartbeat every second; a silent client's seat is reclaimed after three missed beats. */
const HEARTBEAT_MS = 1000;
const SEAT_TIMEOUT_MS = 3 * HEARTBEAT_MS;
const triadHosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

let singlePort = 0;
let triadPort = 0;
let tlsPort = 0;
let deadPort = 0;
let fingerprint = '';
const triadMembers: TriadChild[] = [];

const singleSpec = () => `${singlePort}@127.0.0.1`;
const triadSpec = () => triadHosts.map((host) => `${triadPort}@${host}`).join(',');

async function serve(
  name: string,
  port: number,
  servers: string[],
  features: { name: string; count: number }[],
  as?: string,
  extra: string[] = [],
): Promise<TriadChild> {
  const dir = path.join(temp.dir, name);
  const license = writeSignedLicense(dir, { servers: servers.map((host) => ({ host, hostid: TEST_HOSTID, port })), features });
  const child = await spawnTriad([
    'serve',
    '-c',
    license.licensePath,
    '--hostid',
    TEST_HOSTID,
    '--trust',
    license.publicKeyPath,
    '--data',
    path.join(dir, `data-${as ?? 'single'}`),
    '--client-heartbeat',
    String(HEARTBEAT_MS),
    ...(as ? ['--as', as] : []),
    ...extra,
  ]);
  children.push(child);
  await child.waitForLine(/ready on/, 30_000);
  return child;
}

async function status(host: string, port: number, tls?: ClientTls): Promise<ServerStatus | null> {
  const answer = await queryStatus({ host, port }, { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000, ...(tls ? { tls } : {}) });
  return 'status' in answer ? answer.status : null;
}

/** Seats each user holds of a feature, as the server reports them. */
async function seats(host: string, port: number, feature: string, tls?: ClientTls): Promise<Record<string, number>> {
  const found = await status(host, port, tls);
  const users: Record<string, number> = {};
  for (const pool of found?.features.filter((f) => f.name === feature) ?? []) {
    for (const user of pool.users) users[user.user] = (users[user.user] ?? 0) + user.count;
  }
  return users;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function start(language: LanguageName, env: NodeJS.ProcessEnv = {}): Driver {
  const driver = languages.start(language, env);
  drivers.push(driver);
  return driver;
}

/** A driver with a context open on `path`, checking out as `user`. */
async function opened(language: LanguageName, path: string, user: string, options = ''): Promise<Driver> {
  const driver = start(language);
  expect(await driver.call(`open ${path} user=${user} host=conformance display=:0 ${options}`)).toBe('OK open');
  return driver;
}

/** Quits a driver and checks that it ended cleanly (under ASan/UBSan for C: no leak, no UB). */
async function quitCleanly(driver: Driver): Promise<void> {
  expect(await driver.quit(), driver.describe()).toBe(0);
}

beforeAll(async () => {
  const home = path.join(temp.dir, 'empty-home');
  mkdirSync(home, { recursive: true });
  [singlePort, triadPort, tlsPort, deadPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  fingerprint = selfSignedCertificate(temp.dir, 'tls', 'triad conformance', '127.0.0.1').replace(/^.*=/, '');
  const features = [{ name: 'cad', count: 40 }, { name: 'tiny', count: 1 }];
  // the triad's members prove to each other that they belong together (README, set up a triad)
  shareClusterSecret(triadHosts.map((host) => path.join(temp.dir, 'triad', `data-${host}`)));
  const [built] = await Promise.all([
    prepareLanguages(home),
    serve('single', singlePort, ['127.0.0.1'], features),
    serve('tls', tlsPort, ['127.0.0.1'], [{ name: 'cad', count: 5 }], undefined, [
      '--tls-cert',
      path.join(temp.dir, 'tls.crt'),
      '--tls-key',
      path.join(temp.dir, 'tls.key'),
    ]),
    ...triadHosts.map(async (host) =>
      triadMembers.push(
        await serve(
          'triad',
          triadPort,
          triadHosts,
          [
            { name: 'cad', count: 40 },
            { name: 'tiny', count: 10 },
          ],
          host,
        ),
      ),
    ),
  ]);
  languages = built;
  // the members start together, so the primary or the secondary becomes master
  await waitFor('a triad master', async () => {
    const master = (await status(triadHosts[0]!, triadPort))?.master;
    return master ? (await status(master, triadPort))?.role === 'master' : false;
  }, 30_000);
  // the single server's only `tiny` seat is taken, so that server is full for it
  const holder = await checkout([{ host: '127.0.0.1', port: singlePort }], {
    feature: 'tiny',
    version: '1.0',
    count: 1,
    user: 'suite',
    host: 'conformance',
    display: ':0',
  });
  if (holder.kind !== 'granted') throw new Error(`the suite could not take the tiny seat: ${JSON.stringify(holder)}`);
  heldBySuite.push(holder.license);
  const behaviours: FakeBehaviour[] = [
    'http', 'not-json', 'bad-utf8', 'refuses', 'silent', 'truncated', 'wrong-field', 'unknown-type', 'deep', 'missing-fields', 'extra-fields',
    'garbage-after-grant', 'stops-serving', 'mute-after-grant',
  ];
  for (const behaviour of behaviours) fakes.set(behaviour, await startFakeServer(behaviour));
}, 300_000);

afterAll(async () => {
  for (const driver of drivers) driver.kill();
  for (const license of heldBySuite) await license.checkin().catch(() => {});
  for (const fake of fakes.values()) await fake.close();
  await Promise.all(children.map((child) => stopChild(child, 2_000)));
  temp.remove();
});

describe.each(languageNames)('%s client', (language) => {
  const user = (what: string) => `${language}-${what}`;

  it('grants: the seat shows at the server under its user, with the count asked for', async () => {
    const driver = await opened(language, singleSpec(), user('grant'));
    const one = await driver.call('checkout a cad 1.0 1');
    expect(one).toMatch(/^GRANTED a \S+ \d+@127\.0\.0\.1$/);
    expect(seatOf(one).port).toBe(singlePort);
    expect(await driver.call('checkout b cad 1.0 2')).toMatch(/^GRANTED b /);
    expect((await seats('127.0.0.1', singlePort, 'cad'))[user('grant')]).toBe(3);
    await quitCleanly(driver);
  });

  it("denies with the server's FlexLM code and reason", async () => {
    const driver = await opened(language, singleSpec(), user('denied'));
    expect(await driver.call('checkout a nosuch 1.0 1')).toBe('DENIED a -5 No such feature exists. (-5,222)');
    expect(await driver.call('checkout b cad 1.0 500')).toBe('DENIED b -4 Licensed number of users already reached. (-4,342)');
    expect(await driver.call('checkout c cad 9.0 1')).toMatch(/^DENIED c -25 License server does not support this version of this feature\. \(-25,\d+\)$/);
    await quitCleanly(driver);
  });

  it('checks in: the seat is free at the server at once', async () => {
    const driver = await opened(language, singleSpec(), user('checkin'));
    expect(await driver.call('checkout a cad 1.0 1')).toMatch(/^GRANTED a /);
    expect((await seats('127.0.0.1', singlePort, 'cad'))[user('checkin')]).toBe(1);
    expect(await driver.call('checkin a')).toBe('CHECKEDIN a 0');
    expect((await seats('127.0.0.1', singlePort, 'cad'))[user('checkin')]).toBeUndefined();
    await quitCleanly(driver);
  });

  it('skips a dead first server', async () => {
    const driver = await opened(language, `${deadPort}@127.0.0.1:${singleSpec()}`, user('dead-first'));
    const granted = await driver.call('checkout a cad 1.0 1');
    expect(granted).toMatch(/^GRANTED a /);
    expect(seatOf(granted).port).toBe(singlePort);
    await quitCleanly(driver);
  });

  it('falls through from a full server to the next entry (a triad)', async () => {
    const driver = await opened(language, `${singleSpec()}:${triadSpec()}`, user('full'));
    const granted = await driver.call('checkout a tiny 1.0 1');
    expect(granted).toMatch(/^GRANTED a /);
    expect(seatOf(granted).port).toBe(triadPort);
    expect((await seats('127.0.0.1', singlePort, 'tiny'))[user('full')]).toBeUndefined();
    await quitCleanly(driver);
  });

  it('reads the search path as FlexLM does: <VENDOR>_LICENSE_FILE, LM_LICENSE_FILE, ~/.flexlmrc, license files', async () => {
    // the vendor variable comes first
    const vendorFirst = start(language, { IBMRATL_LICENSE_FILE: singleSpec(), LM_LICENSE_FILE: triadSpec() });
    expect(await vendorFirst.call(`open - user=${user('vendor')} vendor=ibmratl`)).toBe('OK open');
    expect(seatOf(await vendorFirst.call('checkout a cad 1.0 1')).port).toBe(singlePort);
    await quitCleanly(vendorFirst);

    const home = path.join(temp.dir, `home-${language}`);
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, '.flexlmrc'), `# written by the conformance suite\nLM_LICENSE_FILE=${deadPort}@127.0.0.1:${singleSpec()}\n`);
    const fromRc = start(language, { HOME: home });
    expect(await fromRc.call(`open - user=${user('rc')}`)).toBe('OK open');
    expect(seatOf(await fromRc.call('checkout a cad 1.0 1')).port).toBe(singlePort);
    await quitCleanly(fromRc);

    // the environment wins over ~/.flexlmrc
    const envWins = start(language, { HOME: home, LM_LICENSE_FILE: triadSpec() });
    expect(await envWins.call(`open - user=${user('env')}`)).toBe('OK open');
    expect(seatOf(await envWins.call('checkout a cad 1.0 1')).port).toBe(triadPort);
    await quitCleanly(envWins);

    // a license file names its servers (three SERVER lines: a triad); a folder's *.lic files are read
    const files = start(language);
    expect(await files.call(`open ${path.join(temp.dir, 'triad', 'license.lic')} user=${user('file')}`)).toBe('OK open');
    expect(seatOf(await files.call('checkout a cad 1.0 1')).port).toBe(triadPort);
    expect(await files.call(`open ${path.join(temp.dir, 'single')} user=${user('folder')}`)).toBe('OK open');
    expect(seatOf(await files.call('checkout b cad 1.0 1')).port).toBe(singlePort);
    await quitCleanly(files);

    // a comma joins two or three members of one redundant server, tried in order (as lmutil)
    const two = start(language);
    expect(await two.call(`open ${triadPort}@${triadHosts[2]},${triadPort}@${triadHosts[0]} user=${user('two')}`)).toBe('OK open');
    expect(seatOf(await two.call('checkout a cad 1.0 1')).port).toBe(triadPort);
    await quitCleanly(two);

    const nothing = start(language);
    expect(await nothing.call('open -')).toMatch(/^ERROR open -1 Cannot find license file\./);
    expect(await nothing.call(`open 27000@a,27000@b,27000@c,27000@d user=x`)).toMatch(/^ERROR open -2 .*at most three/);
    expect(await nothing.call(`open 27000@a,27000@b,27000@A user=x`)).toMatch(/^ERROR open -2 .*names 27000@A twice/);
    await quitCleanly(nothing);
  });

  it('speaks TLS to a server whose certificate fingerprint is pinned, and refuses a wrong pin', async (context) => {
    // a machine without OpenSSL's headers builds the C library without TLS (it then refuses TLS settings)
    if (language === 'c' && !languages.c.tls) return context.skip('the C library was built without TLS: install libssl-dev (OpenSSL headers)');
    const driver = await opened(language, `${tlsPort}@127.0.0.1`, user('tls'), `fingerprint=${fingerprint}`);
    expect(await driver.call('checkout a cad 1.0 1')).toMatch(/^GRANTED a /);
    expect((await seats('127.0.0.1', tlsPort, 'cad', { fingerprint }))[user('tls')]).toBe(1);
    expect(await driver.call('checkin a')).toBe('CHECKEDIN a 0');
    const wrong = '00:'.repeat(31) + '00';
    expect(await driver.call(`open ${tlsPort}@127.0.0.1 user=${user('tls')} fingerprint=${wrong}`)).toBe('OK open');
    expect(await driver.call('checkout b cad 1.0 1')).toMatch(/^ERROR b -15 .*not the pinned one/);
    expect(await driver.call(`open ${tlsPort}@127.0.0.1 user=${user('tls')} connect_timeout=2000`)).toBe('OK open');
    expect(await driver.call('checkout c cad 1.0 1')).toMatch(/^ERROR c -1[56] .*TLS/);
    await quitCleanly(driver);
  });

  it('reports malformed server replies as clear errors and keeps running', async () => {
    const driver = start(language);
    const cases: [FakeBehaviour, RegExp][] = [
      ['http', /^ERROR x -12 .*oversize frame/],
      ['not-json', /^ERROR x -12 .*not UTF-8 JSON/],
      ['bad-utf8', /^ERROR x -12 .*not UTF-8 JSON/],
      ['refuses', /^ERROR x -15 .*not supported/],
      ['silent', /^ERROR x -1[56] .*within 1000 ms/],
      ['truncated', /^ERROR x -16 .*closed/],
      ['wrong-field', /^ERROR x -12 .*leaseId/],
      ['unknown-type', /^ERROR x -12 .*(invalid message|unknown type)/],
      ['deep', /^ERROR x -12 .*(not UTF-8 JSON|invalid message)/],
      ['missing-fields', /^ERROR x -12 .*invalid message/],
    ];
    for (const [behaviour, expected] of cases) {
      expect(await driver.call(`open ${fakes.get(behaviour)!.port}@127.0.0.1 user=${user('fake')} connect_timeout=1000`)).toBe('OK open');
      expect(await driver.call('checkout x cad 1.0 1'), behaviour).toMatch(expected);
      expect(await driver.call('ping')).toBe('PONG');
    }
    // fields a newer server adds are ignored (docs/PROTOCOL.md, "Compatibility")
    expect(await driver.call(`open ${fakes.get('extra-fields')!.port}@127.0.0.1 user=${user('fake')}`)).toBe('OK open');
    expect(await driver.call('checkout y cad 1.0 1')).toMatch(/^GRANTED y fake-lease /);
    expect(await driver.call('checkin y')).toBe('CHECKEDIN y 0');
    // garbage on the seat's connection, and at every resume: the seat is reported lost
    expect(await driver.call(`open ${fakes.get('garbage-after-grant')!.port}@127.0.0.1 user=${user('fake')}`)).toBe('OK open');
    expect(await driver.call('checkout z cad 1.0 1')).toMatch(/^GRANTED z /);
    expect(await driver.waitForLine(/^EVENT z LOST -\d+ /, 10_000)).toMatch(/^EVENT z LOST -\d+ \S/);
    expect(await driver.call('ping')).toBe('PONG');
    expect(await driver.call('checkin z')).toMatch(/^CHECKEDIN z -\d+$/);
    await quitCleanly(driver);
  });

  it('leaves a member that stops answering heartbeats within about one interval, and resumes', async () => {
    // a short request timeout: the checkin at the end also goes unanswered
    const driver = await opened(language, `${fakes.get('mute-after-grant')!.port}@127.0.0.1`, user('fake'), 'request_timeout=1000');
    expect(await driver.call('checkout a cad 1.0 1')).toMatch(/^GRANTED a fake-lease /);
    const grantedAt = Date.now();
    // heartbeats every 200 ms go unanswered; the client gives up on the connection after 1 s, not 30 s
    expect(seatOf(await driver.waitForLine(/^EVENT a RESUMED /, 8_000)).lease).toBe('fake-lease');
    expect(Date.now() - grantedAt).toBeLessThan(5_000);
    await quitCleanly(driver);
  });

  it('takes its seat elsewhere when the member holding it stops serving (refuses heartbeats)', async () => {
    const driver = await opened(language, `${fakes.get('stops-serving')!.port}@127.0.0.1`, user('fake'));
    const granted = await driver.call('checkout a cad 1.0 1');
    expect(granted).toMatch(/^GRANTED a fake-lease /);
    // the refused heartbeat sends the client to resume with its token (here, on the same member)
    expect(seatOf(await driver.waitForLine(/^EVENT a RESUMED /, 10_000)).lease).toBe('fake-lease');
    expect(fakes.get('stops-serving')!.received).toContain('heartbeat');
    await quitCleanly(driver);
  });
});

describe('held seats, all clients at once', () => {
  it.concurrent.each(languageNames)('%s: heartbeats keep a seat past its timeout; a killed client loses its seat', async (language) => {
    const keeper = await opened(language, singleSpec(), `${language}-keeper`);
    const victim = await opened(language, singleSpec(), `${language}-victim`);
    expect(await keeper.call('checkout a cad 1.0 1')).toMatch(/^GRANTED a /);
    expect(await victim.call('checkout a cad 1.0 1')).toMatch(/^GRANTED a /);
    victim.kill();
    const killedAt = Date.now();
    // the killed client's seat comes back after about one seat timeout
    await waitFor(
      `${language}-victim's seat reclaimed`,
      async () => (await seats('127.0.0.1', singlePort, 'cad'))[`${language}-victim`] === undefined,
      SEAT_TIMEOUT_MS + 5_000,
    );
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(SEAT_TIMEOUT_MS - HEARTBEAT_MS - 200);
    // by now the keeper has been silent-free for more than a timeout: still held, never lost
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + SEAT_TIMEOUT_MS + 1_500 - Date.now())));
    expect((await seats('127.0.0.1', singlePort, 'cad'))[`${language}-keeper`]).toBe(1);
    expect(keeper.events()).toEqual([]);
    expect(await keeper.call('state a')).toMatch(/^STATE a 0 /);
    await quitCleanly(keeper);
  }, 60_000);
});

describe('SIGKILL of the triad master, all clients at once', () => {
  const granted = new Map<LanguageName, string>();
  const holders = new Map<LanguageName, Driver>();
  let newMaster = '';

  beforeAll(async () => {
    for (const language of languageNames) {
      const driver = await opened(language, triadSpec(), `${language}-failover`);
      holders.set(language, driver);
      granted.set(language, await driver.call('checkout a cad 1.0 1').catch((error: Error) => error.message));
    }
    const master = (await status(triadHosts[0]!, triadPort))?.master;
    const victim = triadMembers.find((member) => member.child.spawnargs.includes(master ?? '?'));
    if (!victim) throw new Error(`no master to kill (status says ${master})`);
    victim.child.kill('SIGKILL');
    // every client resumes on the new master (or is reported lost): wait for all of them
    await Promise.all(
      [...holders.values()].map((driver) => driver.waitForLine(/^EVENT a (RESUMED|REGRANTED|LOST)/, 30_000).catch(() => null)),
    );
    const survivors = triadHosts.filter((host) => host !== master);
    newMaster = (await waitFor('a new master', async () => {
      for (const host of survivors) if ((await status(host, triadPort))?.role === 'master') return host;
      return null;
    }, 15_000));
  }, 90_000);

  it.each(languageNames)('%s: resumes the same seat on the new master (none lost, none granted twice)', async (language) => {
    const driver = holders.get(language)!;
    const grant = granted.get(language)!;
    expect(grant).toMatch(/^GRANTED a /);
    const resumed = driver.events(/^EVENT a /);
    expect(resumed, driver.describe()).toHaveLength(1);
    expect(resumed[0]).toMatch(/^EVENT a RESUMED /);
    expect(seatOf(resumed[0]!).lease).toBe(seatOf(grant).lease);
    expect(seatOf(resumed[0]!).host).toBe(newMaster);
    expect((await seats(newMaster, triadPort, 'cad'))[`${language}-failover`]).toBe(1);
    // checkin goes to the member that holds the seat now
    expect(await driver.call('checkin a')).toBe('CHECKEDIN a 0');
    expect((await seats(newMaster, triadPort, 'cad'))[`${language}-failover`]).toBeUndefined();
    await quitCleanly(driver);
  });
});

describe('the C library itself', () => {
  it('decodes 100,000 random frames without a crash or a sanitizer report', async () => {
    const { stdout } = await exec(languages.c.fuzzer, ['100000', '20261129'], { env: { ...process.env, ...sanitizerEnv }, timeout: 120_000 });
    expect(stdout).toMatch(/fuzzed 100000 frames: \d+ payloads decoded, \d+ valid messages, \d+ oversize headers; 1000 round trips/);
  }, 150_000);

  it('examples/c checks out, works, and checks in', async () => {
    const { stdout } = await exec(languages.c.example, ['cad', '1.0', singleSpec()], {
      env: { ...process.env, ...sanitizerEnv, TRIAD_EXAMPLE_SECONDS: '2' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^checked out cad v1\.0 from \d+@127\.0\.0\.1 \(expires permanent\)\nchecked in cad\n$/);
  });
});
