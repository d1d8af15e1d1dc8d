import { describe, expect, it, afterAll } from 'vitest';
import {
  adoptRegistrySearchPath,
  FLEXLM_KEYS,
  parseRegQuery,
  regExeRegistry,
  registryMirror,
  type RegistryValues,
} from '../../../src/core/client/flexlmRegistry';
import { createAdminApi, type ServerControl } from '../../../src/core/admin/adminApi';
import { openStore } from '../../../src/core/store';
import { makeTempDir } from '../../support/tempDir';

const [HKLM, HKCU] = FLEXLM_KEYS;
/** The client list needs no license server: one that only accepts listeners. */
const noServer = { onStatus: () => () => {}, onLog: () => () => {} } as unknown as ServerControl;
const temp = makeTempDir('flexlm-registry-');
afterAll(() => temp.remove());

/** An in-memory registry; keys listed in `readOnly` refuse writes as a non-administrator's HKLM does. */
function fakeRegistry(initial: Record<string, Record<string, string>> = {}, readOnly: string[] = []) {
  const keys = new Map(Object.entries(initial).map(([k, v]) => [k, { ...v }]));
  const registry: RegistryValues = {
    list: async (key) => ({ ...(keys.get(key) ?? {}) }),
    set: async (key, name, value) => {
      if (readOnly.includes(key)) throw new Error('ERROR: Access is denied.');
      keys.set(key, { ...(keys.get(key) ?? {}), [name]: value });
    },
    remove: async (key, name) => {
      if (readOnly.includes(key)) throw new Error('ERROR: Access is denied.');
      const values = keys.get(key);
      if (values) delete values[name];
    },
  };
  return { registry, keys };
}

const entries = [
  { id: 1, name: 'triad', type: 'redundant' as const, hosts: [{ host: 'a', port: 27000 }, { host: 'b', port: 27000 }, { host: 'c', port: 27000 }] },
  { id: 2, name: 'site b', type: 'single' as const, hosts: [{ host: 'siteb', port: null }] },
];

describe('client settings in the FLEXlm License Manager registry key', () => {
  it('writes the list as LM_LICENSE_FILE with Windows separators, machine-wide', async () => {
    const { registry, keys } = fakeRegistry();
    expect(await registryMirror(registry).write({ useLicenseServer: true, entries })).toBe(`${HKLM}\\LM_LICENSE_FILE`);
    expect(keys.get(HKLM)).toEqual({ LM_LICENSE_FILE: '27000@a,27000@b,27000@c;@siteb' });
  });

  it("falls back to the user's key when the machine's is not writable, and removes the value when not used", async () => {
    const { registry, keys } = fakeRegistry({ [HKCU]: { LM_LICENSE_FILE: 'old@x', OTHER: 'kept' } }, [HKLM]);
    const mirror = registryMirror(registry);
    expect(await mirror.write({ useLicenseServer: true, entries })).toBe(`${HKCU}\\LM_LICENSE_FILE`);
    expect(await mirror.write({ useLicenseServer: false, entries })).toBe(`${HKCU}\\LM_LICENSE_FILE`);
    expect(keys.get(HKCU)).toEqual({ OTHER: 'kept' });
  });

  it('says why when no key can be written', async () => {
    const { registry } = fakeRegistry({}, [HKLM, HKCU]);
    await expect(registryMirror(registry).write({ useLicenseServer: true, entries })).rejects.toThrow('Access is denied');
  });

  it("reads LM_LICENSE_FILE, else a vendor's variable such as the RATIONAL_LICENSE_FILE LKAD writes", async () => {
    expect(await registryMirror(fakeRegistry({ [HKLM]: { RATIONAL_LICENSE_FILE: '27000@lic1' } }).registry).read()).toEqual({
      value: '27000@lic1',
      from: `${HKLM}\\RATIONAL_LICENSE_FILE`,
    });
    expect(await registryMirror(fakeRegistry({ [HKCU]: { LM_LICENSE_FILE: '1717@x', FOO_LICENSE_FILE: 'y' } }).registry).read()).toEqual({
      value: '1717@x',
      from: `${HKCU}\\LM_LICENSE_FILE`,
    });
    expect(await registryMirror(fakeRegistry().registry).read()).toBeNull();
  });

  it('a store without a list takes the one in the registry; one with a list keeps it', async () => {
    const store = openStore(`${temp.dir}/adopt`);
    try {
      const mirror = registryMirror(fakeRegistry({ [HKLM]: { RATIONAL_LICENSE_FILE: '27000@p,27000@s,27000@t;27001@solo' } }).registry);
      expect(await adoptRegistrySearchPath(store, mirror)).toBe(`${HKLM}\\RATIONAL_LICENSE_FILE`);
      expect(store.searchList.useLicenseServer()).toBe(true);
      expect(store.searchList.list().map((e) => [e.type, e.hosts.map((h) => `${h.port}@${h.host}`).join(',')])).toEqual([
        ['redundant', '27000@p,27000@s,27000@t'],
        ['single', '27001@solo'],
      ]);
      expect(await adoptRegistrySearchPath(store, registryMirror(fakeRegistry({ [HKLM]: { LM_LICENSE_FILE: '1@other' } }).registry))).toBeNull();
      expect(store.searchList.list()).toHaveLength(2);
    } finally {
      store.close();
    }
  });

  it('every change in Client/Server Configuration is written there, and a failure is shown', async () => {
    const store = openStore(`${temp.dir}/api`);
    const { registry, keys } = fakeRegistry();
    const api = createAdminApi({ server: noServer, store, licensePath: `${temp.dir}/api/licenses`, registry: registryMirror(registry) });
    try {
      const added = await api.invoke('client.add', { type: 'single', hosts: [{ host: 'lic1', port: 27000 }] });
      expect(added.ok && added.value.registry).toEqual({ where: `${HKLM}\\LM_LICENSE_FILE`, problem: null });
      await api.invoke('client.setUse', { use: true });
      expect(keys.get(HKLM)).toEqual({ LM_LICENSE_FILE: '27000@lic1' });
    } finally {
      api.close();
      store.close();
    }
    const refusing = openStore(`${temp.dir}/api-refused`);
    const denied = createAdminApi({
      server: noServer,
      store: refusing,
      licensePath: `${temp.dir}/x`,
      registry: registryMirror(fakeRegistry({}, [HKLM, HKCU]).registry),
    });
    try {
      const result = await denied.invoke('client.setUse', { use: true });
      expect(result.ok && result.value.registry?.problem).toMatch(/^The list is saved, but FlexLM tools will not see it: .*Access is denied/);
    } finally {
      denied.close();
      refusing.close();
    }
  });
});

describe('reg.exe', () => {
  it('reads string values from `reg query` output', () => {
    const output =
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\FLEXlm License Manager\r\n    LM_LICENSE_FILE    REG_SZ    27000@a,27000@b,27000@c\r\n    EMPTY    ' +
        'REG_SZ\r\n    COUNT    REG_DWORD    0x1\r\n\r\n';
    expect(parseRegQuery(output)).toEqual({ LM_LICENSE_FILE: '27000@a,27000@b,27000@c', EMPTY: '' });
  });

  it('runs reg add / delete with the value, and treats a missing key as empty', async () => {
    const calls: string[][] = [];
    const registry = regExeRegistry(async (args) => {
      calls.push(args);
      if (args[0] === 'query') return '    LM_LICENSE_FILE    REG_SZ    1@x\r\n';
      return '';
    });
    await registry.set(HKLM, 'LM_LICENSE_FILE', '27000@a;27000@b');
    await registry.remove(HKLM, 'LM_LICENSE_FILE');
    expect(calls).toEqual([
      ['add', HKLM, '/v', 'LM_LICENSE_FILE', '/t', 'REG_SZ', '/d', '27000@a;27000@b', '/f'],
      ['query', HKLM],
      ['delete', HKLM, '/v', 'LM_LICENSE_FILE', '/f'],
    ]);
    expect(await regExeRegistry(async () => Promise.reject(new Error('ERROR: The system was unable to find the specified registry key'))).list(HKCU)).toEqual(
      {},
    );
  });
});
