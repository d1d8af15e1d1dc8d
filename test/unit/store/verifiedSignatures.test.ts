import { describe, expect, it } from 'vitest';
import { useTempStores } from './tempStore';

const temp = useTempStores();
const key = (n: number) => n.toString(16).padStart(64, '0');

describe('verified signatures', () => {
  it('records checks that verified and keeps them across a restart', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    store.verifiedSignatures.record([key(1), key(2)], 10);
    store.verifiedSignatures.record([key(2)], 12);
    store.close();
    const again = temp.open(dir);
    expect(again.verifiedSignatures.known([key(1), key(3), key(2)])).toEqual(new Set([key(1), key(2)]));
    expect(again.verifiedSignatures.known([])).toEqual(new Set());
    expect(again.verifiedSignatures.count()).toBe(2);
  });

  it('ignores keys that are not hashes', () => {
    const store = temp.open();
    store.verifiedSignatures.record(['not a hash', key(0xab).toUpperCase()], 1);
    expect(store.verifiedSignatures.count()).toBe(0);
    expect(store.verifiedSignatures.known(['not a hash'])).toEqual(new Set());
  });

  it('keeps at most a number of rows: the longest known go first', () => {
    const store = temp.open();
    for (const n of [1, 2, 3, 4]) store.verifiedSignatures.record([key(n)], 100 - n);
    // a check recorded again keeps its first time
    store.verifiedSignatures.record([key(4)], 200);
    expect(store.verifiedSignatures.trimTo(2)).toBe(2);
    expect(store.verifiedSignatures.known([1, 2, 3, 4].map(key))).toEqual(new Set([key(1), key(2)]));
    expect(store.verifiedSignatures.trimTo(2)).toBe(0);
  });
});
