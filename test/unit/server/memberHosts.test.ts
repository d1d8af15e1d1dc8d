import { describe, expect, it } from 'vitest';
import { resolveMemberHosts } from '../../../src/core/server/peerWiring';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('member addresses without a cluster secret', () => {
  it('looks a name up again after a failure (DNS not up yet at boot) and after a minute', async () => {
    const answers: (string[] | Error)[] = [new Error('EAI_AGAIN'), ['10.0.0.2'], ['10.0.0.3']];
    const asked: string[] = [];
    let clock = 0;
    const addressesOf = resolveMemberHosts(
      ['10.0.0.1', 'bravo', 'charlie'],
      async (host) => {
        asked.push(host);
        const answer = host === 'charlie' ? ['10.0.0.9'] : answers.shift()!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      () => clock,
    );
    await settle();
    expect(addressesOf(1)).toEqual([]); // failed: trusts nobody, and asks again
    await settle();
    expect(addressesOf(1)).toEqual(['10.0.0.2']);
    expect(addressesOf(2)).toEqual(['10.0.0.9']);
    clock = 60_000;
    expect(addressesOf(1)).toEqual(['10.0.0.2']); // stale: still answered while the new lookup runs
    await settle();
    expect(addressesOf(1)).toEqual(['10.0.0.3']);
    expect(asked.filter((host) => host === 'bravo')).toHaveLength(3);
    expect(asked).not.toContain('10.0.0.1');
  });
});
