import { describe, expect, it } from 'vitest';
import { aLease } from '../../support/lease';
import { useTempStores } from './tempStore';

const temp = useTempStores();

const lease = (id: string, lingerSeconds: number) => aLease(id, { grantedAt: 1000, lingerSeconds });

describe('leases.checkin', () => {
  it('deletes a plain lease, keeps a LINGER lease marked with when its seat frees, ignores unknown ids', () => {
    const store = temp.open(temp.newDir());
    store.leases.put(lease('plain', 0));
    store.leases.put(lease('lingers', 30));
    store.leases.checkin('plain', 5_000);
    store.leases.checkin('lingers', 5_000);
    store.leases.checkin('unknown', 5_000);
    expect(store.leases.get('plain')).toBeNull();
    expect(store.leases.get('lingers')).toEqual({ ...lease('lingers', 30), lingerUntilMs: 35_000 });
    expect(store.leases.list()).toHaveLength(1);
    store.close();
  });
});
