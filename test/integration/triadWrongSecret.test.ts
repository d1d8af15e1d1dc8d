import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shareClusterSecret } from '../support/clusterSecret';
import { freePort } from '../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../support/signedLicense';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad, stopChild, type TriadChild } from '../support/triadProcess';

/**
 * Issue 20, acceptance: a triad of three `triad serve` processes with one member on the wrong
 * cluster secret. Both sides log why within 5 s, lmstat shows it, and lmdown reports the member
 * it could not stop (which then stops with its own machine's lmdown).
 */

const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const temp = makeTempDir('triad-wrong-secret-');
const children: TriadChild[] = [];
afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child, 2_000)));
  temp.remove();
});

async function run(args: string[]) {
  const child = await spawnTriad(args);
  return { code: await child.exited, out: child.stdout.join('\n'), err: child.stderr.join('\n') };
}

async function logLine(file: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    const line = text.split('\n').find((candidate) => pattern.test(candidate));
    if (line) return line;
    if (Date.now() > until) throw new Error(`${path.basename(file)} has no line matching ${pattern} within ${timeoutMs} ms:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a triad with one member on the wrong cluster secret', () => {
  it('both sides log why within 5 s, lmstat shows it, lmdown says which member it could not stop', async () => {
    const port = await freePort();
    const license = writeSignedLicense(temp.dir, {
      servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })),
      features: [{ name: 'Odd', count: 2 }],
    });
    const data = hosts.map((_, rank) => path.join(temp.dir, `data-${rank}`));
    const logs = hosts.map((_, rank) => path.join(temp.dir, `member-${rank}.log`));
    shareClusterSecret(data.slice(0, 2));
    // the tertiary was set up on its own: it made its own secret
    expect((await run(['cluster-secret', '--new', '--data', data[2]!])).code).toBe(0);

    const serve = async (rank: number) => {
      const child = await spawnTriad([
        'serve',
        '-c',
        license.licensePath,
        '--as',
        hosts[rank]!,
        '--hostid',
        TEST_HOSTID,
        '--trust',
        license.publicKeyPath,
        '--data',
        data[rank]!,
        '-l',
        logs[rank]!,
      ]);
      children.push(child);
      await child.waitForLine(/ready on/);
      return child;
    };
    await serve(0);
    await serve(1);
    const started = Date.now();
    const odd = await serve(2);
    await logLine(logs[0]!, /\(lmgrd\) Refused redundant server connection with 127\.0\.0\.3:\d+: its proof does not match our cluster secret \(import the same cluster secret on all three\)/, 5_000);
    await logLine(logs[2]!, /\(lmgrd\) Refused redundant server connection with 127\.0\.0\.1:\d+: .*different cluster secrets \(import the same cluster secret on all three\)/, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);

    await logLine(logs[0]!, /\(lmgrd\) Redundant server quorum established\. Master is 127\.0\.0\.1/, 10_000);
    const lmstat = await run(['lmstat', '-c', hosts.map((host) => `${port}@${host}`).join(',')]);
    expect(lmstat.code, lmstat.err).toBe(0);
    expect(lmstat.out).toMatch(/^127\.0\.0\.1: license server UP \(MASTER\) /m);
    expect(lmstat.out).toMatch(/^127\.0\.0\.3: license server UP /m);
    expect(lmstat.out).toMatch(/^ {4}127\.0\.0\.3: UP but not in the quorum: refused: its proof does not match our cluster secret/m);

    const lmdown = await run(['lmdown', '-q', '-c', license.licensePath, '--data', data[0]!]);
    expect(lmdown.code).toBe(1);
    expect(lmdown.out).toMatch(
      new RegExp(`^Shutting down license server ${port}@127\\.0\\.0\\.1: shutting down 127\\.0\\.0\\.1, 127\\.0\\.0\\.2; 127\\.0\\.0\\.3 cannot be told`, 'm'),
    );
    expect(lmdown.out).toContain(`Stopped: ${port}@127.0.0.1, ${port}@127.0.0.2`);
    expect(lmdown.err).toContain(`still running after 8 s:\n  ${port}@127.0.0.3: not in the quorum (refused: its proof does not match our cluster secret`);
    expect(odd.child.exitCode).toBeNull();

    // the odd member stops with its own machine's token
    const own = await run(['lmdown', '-q', '-c', `${port}@127.0.0.3`, '--data', data[2]!]);
    expect(own.code, own.err).toBe(0);
    expect(own.out).toContain(`Stopped: ${port}@127.0.0.3`);
    expect(await odd.exited).toBe(0);
  }, 90_000);
});
