import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/tempDir';
import { spawnTriad } from '../support/triadProcess';
import { startTestServer, type TestServer } from '../support/testServer';

/**
 * Issue 20, from a newcomer's setup: `triad client add` left "Use license server" off without a
 * word, and `triad checkout` printed "IN: checked in" when no server had confirmed the checkin.
 */

const temp = makeTempDir('triad-hints-');
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  temp.remove();
});

async function triad(args: string[]) {
  const child = await spawnTriad(args);
  return { code: await child.exited, out: child.stdout.join('\n'), err: child.stderr.join('\n') };
}

describe('the command line says what a newcomer needs to know', () => {
  it('client add says when "Use license server" is off and how to turn it on', async () => {
    const data = path.join(temp.dir, 'client');
    const added = await triad(['client', '--data', data, 'add', 'site', '27000@licsrv']);
    expect(added.code).toBe(0);
    expect(added.out).toContain('"Use license server" is off, so this list is not searched; turn it on with `triad client use on`.');
    await triad(['client', '--data', data, 'use', 'on']);
    expect((await triad(['client', '--data', data, 'add', 'other', '27001@licsrv'])).out).not.toContain('is off');
  }, 30_000);

  it('checkout prints "IN: checked in" only when a server confirmed it', async () => {
    const server = await startTestServer(path.join(temp.dir, 'server'), { features: [{ name: 'Brief', count: 1 }] });
    servers.push(server);
    const client = await spawnTriad(['checkout', 'Brief', '-c', server.spec, '--hold', '2']);
    await client.waitForLine(/^GRANTED:/);
    // the server goes away while the seat is held: nobody can confirm the checkin
    await server.stop();
    expect(await client.exited).toBe(0);
    const out = client.stdout.join('\n');
    expect(out).not.toMatch(/^IN:/m);
    expect(out).toMatch(/^NOT CONFIRMED: no server confirmed the checkin of "Brief" \(.+\); the server frees the seat within \d+ s$/m);
  }, 30_000);
});
