import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkout } from '../../src/core/client/checkout';
import { queryStatus } from '../../src/core/client/searchAttempts';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { freePort } from '../support/freePort';

/** A real `triad serve` process refuses a hand-edited license line and a license bound to another machine. */

const temp = makeTempDir('security-license-');
const children: TriadChild[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c, 2_000)));
  temp.remove();
});

const request = (feature: string) => ({ feature, version: '1.0', count: 1, user: 'mallory', host: 'ws', display: ':0' });

async function serve(name: string, licensePath: string, publicKeyPath: string, hostid: string) {
  const logFile = path.join(temp.dir, name, 'debug.log');
  const child = await spawnTriad([
    'serve',
    '-c',
    licensePath,
    '--hostid',
    hostid,
    '--data',
    path.join(temp.dir, name, 'data'),
    '--trust',
    publicKeyPath,
    '-l',
    logFile,
  ]);
  children.push(child);
  await child.waitForLine(/ready on/);
  return { child, logFile };
}

async function status(licensePort: number) {
  const answer = await queryStatus({ host: '127.0.0.1', port: licensePort }, { connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
  if (!('status' in answer)) throw new Error(`no status: ${JSON.stringify(answer)}`);
  return answer.status;
}

describe('license integrity over a real triad serve process', () => {
  it('refuses a feature whose count was raised by hand after signing, naming the line and the signature', async () => {
    const licensePort = await freePort();
    const license = writeSignedLicense(path.join(temp.dir, 'tampered'), {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID, port: licensePort }],
      features: [{ name: 'Honest', count: 2 }, { name: 'Greedy', count: 2 }],
    });
    const text = readFileSync(license.licensePath, 'utf8');
    const tampered = text.replace(/^(INCREMENT Greedy ibmratl 1\.0 permanent) 2\b/m, '$1 200');
    expect(tampered).not.toBe(text);
    writeFileSync(license.licensePath, tampered);
    const greedyLine = tampered.split('\n').findIndex((line) => line.startsWith('INCREMENT Greedy')) + 1;

    const { child, logFile } = await serve('tampered', license.licensePath, license.publicKeyPath, TEST_HOSTID);
    const features = (await status(licensePort)).features;
    expect(features.find((f) => f.name === 'Honest')).toMatchObject({ served: true, issued: 2 });
    const greedy = features.find((f) => f.name === 'Greedy');
    expect(greedy).toMatchObject({ served: false, notServedReason: expect.stringMatching(/signature/i) });
    expect(await checkout([{ host: '127.0.0.1', port: licensePort }], request('Greedy'))).toMatchObject({ kind: 'denied' });
    // the server log names the file and line, and why
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`"Greedy" (license.lic:${greedyLine}) is not served: its SIGN= does not verify`);
    expect(log).not.toMatch(/"Honest".*not served/);
    expect(child.child.exitCode).toBeNull(); // still serving Honest
  });

  it('does not serve a license whose SERVER line is bound to another machine, and says which host id', async () => {
    const licensePort = await freePort();
    const license = writeSignedLicense(path.join(temp.dir, 'elsewhere'), {
      servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID, port: licensePort }],
      features: [{ name: 'Bound', count: 3 }],
    });
    const { logFile } = await serve('elsewhere', license.licensePath, license.publicKeyPath, '999999999999');
    const bound = (await status(licensePort)).features.find((f) => f.name === 'Bound');
    expect(bound).toMatchObject({ served: false, notServedReason: expect.stringContaining(`the SERVER line for 127.0.0.1 is bound to hostid ${TEST_HOSTID}`) });
    expect(await checkout([{ host: '127.0.0.1', port: licensePort }], request('Bound'))).toMatchObject({ kind: 'denied' });
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(
      `the SERVER line for 127.0.0.1 is bound to hostid ${TEST_HOSTID}, which is not this machine (999999999999); the license can only be served there`,
    );
    // a host id given on the command line is said in the log, at every start
    expect(log).toMatch(/host id 999999999999 given with --hostid stands in for this machine's \(/);
  });
});
