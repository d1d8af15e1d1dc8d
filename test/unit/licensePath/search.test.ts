import { describe, expect, it } from 'vitest';
import { MEMBER_NOT_SERVING_MAJOR } from '../../../src/core/protocol/denial';
import { LicenseSearch, type AttemptOutcome, type SearchTarget, type ServerAddress } from '../../../src/core/client/search';

type Behaviour = 'down' | 'full' | 'grant' | 'standby-of-b' | 'no-quorum';

/** A fake network: each `port@host` behaves as told; standbys redirect as the client library does. */
function network(behaviour: Record<string, Behaviour>) {
  const calls: string[] = [];
  const attempt = async (address: ServerAddress): Promise<AttemptOutcome<string>> => {
    const key = `${address.port}@${address.host}`;
    calls.push(key);
    const act = behaviour[key] ?? 'down';
    if (act === 'down') return { kind: 'unreachable', error: `${key}: Connection refused` };
    if (act === 'full') return { kind: 'denied', code: -4, reason: 'Licensed number of users already reached. (-4,342)', server: address };
    if (act === 'no-quorum') return { kind: 'denied', code: MEMBER_NOT_SERVING_MAJOR, reason: 'no quorum', server: address };
    const server = act === 'standby-of-b' ? { host: 'b', port: 1 } : address;
    return { kind: 'granted', value: `seat from ${server.port}@${server.host}`, server };
  };
  return { attempt, calls };
}

const single = (host: string, port = 1): SearchTarget => ({ label: `${port}@${host}`, source: 'test', redundant: false, addresses: [{ host, port }] });
const triad = (...hosts: string[]): SearchTarget => ({
  label: hosts.join(','),
  source: 'test',
  redundant: true,
  addresses: hosts.map((host) => ({ host, port: 1 })),
});

describe('LicenseSearch', () => {
  it('moves to the next entry when the first is down', async () => {
    const net = network({ '1@b': 'grant' });
    const outcome = await new LicenseSearch([single('a'), single('b')]).run(net.attempt);
    expect(outcome).toMatchObject({ kind: 'granted', value: 'seat from 1@b' });
    expect(net.calls).toEqual(['1@a', '1@b']);
  });

  it('moves to the next entry when the first denies', async () => {
    const net = network({ '1@a': 'full', '1@b': 'grant' });
    expect(await new LicenseSearch([single('a'), single('b')]).run(net.attempt)).toMatchObject({ kind: 'granted', server: { host: 'b' } });
  });

  it('reports the last denial when every entry denies, and unreachable when none answers', async () => {
    const denied = await new LicenseSearch([single('a'), single('b')]).run(network({ '1@a': 'full', '1@b': 'full' }).attempt);
    expect(denied).toMatchObject({ kind: 'denied', code: -4, server: { host: 'b' } });
    const none = await new LicenseSearch([single('a'), single('b')]).run(network({}).attempt);
    expect(none.kind).toBe('unreachable');
    expect(none.steps.map((s) => s.outcome)).toEqual(['unreachable', 'unreachable']);
  });

  it('a triad entry whose primary is down reaches the master through the next member', async () => {
    const net = network({ '1@b': 'grant', '1@c': 'standby-of-b' });
    const outcome = await new LicenseSearch([triad('a', 'b', 'c')]).run(net.attempt);
    expect(outcome).toMatchObject({ kind: 'granted', server: { host: 'b' } });
    expect(net.calls).toEqual(['1@a', '1@b']);
  });

  it('a triad member without quorum sends the search to the next member, a licensing denial to the next entry', async () => {
    const isolated = network({ '1@a': 'no-quorum', '1@b': 'grant' });
    expect(await new LicenseSearch([triad('a', 'b', 'c')]).run(isolated.attempt)).toMatchObject({ kind: 'granted' });
    const full = network({ '1@a': 'full', '1@b': 'grant', '1@z': 'grant' });
    const outcome = await new LicenseSearch([triad('a', 'b', 'c'), single('z')]).run(full.attempt);
    expect(outcome).toMatchObject({ kind: 'granted', server: { host: 'z' } });
    expect(full.calls).toEqual(['1@a', '1@z']);
  });

  it('a single entry that is a standby triad member ends at its master (the attempt followed the redirect)', async () => {
    const net = network({ '1@c': 'standby-of-b' });
    expect(await new LicenseSearch([single('c')]).run(net.attempt)).toMatchObject({ kind: 'granted', server: { host: 'b' } });
  });

  it('is sticky: later searches try first the server that granted the first seat', async () => {
    const net = network({ '1@a': 'full', '1@b': 'grant', '1@c': 'grant' });
    const search = new LicenseSearch([single('a'), single('c'), single('b')]);
    await search.run(net.attempt);
    expect(search.sticky).toEqual({ host: 'c', port: 1 });
    net.calls.length = 0;
    expect(await search.run(net.attempt)).toMatchObject({ server: { host: 'c' } });
    expect(net.calls).toEqual(['1@c']);
  });

  it('falls back to the list when the sticky server has gone', async () => {
    const behaviour: Record<string, Behaviour> = { '1@a': 'grant', '1@b': 'grant' };
    const net = network(behaviour);
    const search = new LicenseSearch([single('a'), single('b')]);
    await search.run(net.attempt);
    behaviour['1@a'] = 'down';
    expect(await search.run(net.attempt)).toMatchObject({ kind: 'granted', server: { host: 'b' } });
    expect(search.sticky).toEqual({ host: 'a', port: 1 });
  });
});
