import { describe, expect, it } from 'vitest';
import { useTempStores } from './tempStore';

const temp = useTempStores();

const single = (name: string, host = `${name}.example.com`, port: number | null = 27000) => ({ name, type: 'single' as const, hosts: [{ host, port }] });
const triad = (name: string) => ({
  name,
  type: 'redundant' as const,
  hosts: [
    { host: 'a', port: 27000 },
    { host: 'b', port: 27000 },
    { host: 'c', port: 27000 },
  ],
});

function ok<T>(result: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('client search list', () => {
  it('keeps the Use license server flag (off by default)', () => {
    const dir = temp.newDir();
    const store = temp.open(dir);
    expect(store.searchList.useLicenseServer()).toBe(false);
    store.searchList.setUseLicenseServer(true);
    store.close();
    expect(temp.open(dir).searchList.useLicenseServer()).toBe(true);
  });

  it('adds in order, renames, changes ports, removes and keeps the order dense', () => {
    const store = temp.open();
    const a = ok(store.searchList.add(single('a')));
    const t = ok(store.searchList.add(triad('t')));
    const c = ok(store.searchList.add(single('c', 'c', null)));
    expect(store.searchList.list().map((e) => e.name)).toEqual(['a', 't', 'c']);
    ok(store.searchList.update(t.id, { name: 'Rational triad', hosts: t.hosts.map((h) => ({ ...h, port: 27001 })) }));
    expect(store.searchList.list()[1]).toEqual({ id: t.id, name: 'Rational triad', type: 'redundant', hosts: t.hosts.map((h) => ({ ...h, port: 27001 })) });
    expect(store.searchList.remove(a.id)).toBe(true);
    expect(store.searchList.remove(a.id)).toBe(false);
    expect(store.searchList.list().map((e) => e.id)).toEqual([t.id, c.id]);
    ok(store.searchList.add(single('d')));
    expect(store.searchList.list().map((e) => e.name)).toEqual(['Rational triad', 'c', 'd']);
  });

  it('moves entries up and down, clamped at the ends', () => {
    const store = temp.open();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => ok(store.searchList.add(single(n))));
    expect(store.searchList.move(c.id, -1)).toBe(true);
    expect(store.searchList.list().map((e) => e.name)).toEqual(['a', 'c', 'b']);
    expect(store.searchList.move(a.id, 10)).toBe(true);
    expect(store.searchList.list().map((e) => e.name)).toEqual(['c', 'b', 'a']);
    expect(store.searchList.move(b.id, -5)).toBe(true);
    expect(store.searchList.list().map((e) => e.name)).toEqual(['b', 'c', 'a']);
    expect(store.searchList.move(999, 1)).toBe(false);
  });

  it('refuses invalid entries with a message naming the entry and the problem', () => {
    const store = temp.open();
    const twoHosts = { name: 'x', type: 'redundant' as const, hosts: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }] };
    expect(store.searchList.add(twoHosts)).toEqual({ ok: false, error: expect.stringMatching(/"x".*exactly three servers/) });
    expect(store.searchList.add(single('y', 'bad host'))).toEqual({ ok: false, error: expect.stringContaining('must not contain spaces') });
    expect(store.searchList.add(single('z', 'h', 70000))).toEqual({ ok: false, error: expect.stringContaining('1-65535') });
    expect(store.searchList.add({ ...triad('t'), hosts: triad('t').hosts.map((h, i) => (i === 2 ? { ...h, port: null } : h)) })).toEqual({
      ok: false,
      error: expect.stringContaining('needs a port'),
    });
    expect(store.searchList.add(single('  '))).toMatchObject({ ok: false, error: expect.stringContaining('name is empty') });
    const e = ok(store.searchList.add(single('ok')));
    expect(store.searchList.update(e.id, { type: 'redundant' })).toMatchObject({ ok: false });
    expect(store.searchList.update(12345, { name: 'n' })).toMatchObject({ ok: false, error: expect.stringContaining('12345') });
    expect(store.searchList.list()).toEqual([e]);
  });

  it('replaceAll imports in order, and changes nothing when one entry is invalid', () => {
    const store = temp.open();
    ok(store.searchList.add(single('old')));
    expect(store.searchList.replaceAll([single('n1'), { ...single('n2'), hosts: [] }])).toMatchObject({ ok: false, error: expect.stringContaining('Entry 2') });
    expect(store.searchList.list().map((e) => e.name)).toEqual(['old']);
    const imported = ok(store.searchList.replaceAll([triad('t'), single('s')]));
    expect(store.searchList.list()).toEqual(imported);
    expect(imported.map((e) => e.name)).toEqual(['t', 's']);
  });
});
