import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuzzSettings } from '../../support/fuzzSettings';
import { exportLicensePath, importLicensePath, parseServerSpec } from '../../../src/core/client/licensePathConfig';

describe('client configuration <-> LM_LICENSE_FILE', () => {
  it('imports the seed example as three named single entries and exports it back', () => {
    const imported = importLicensePath('27000@siteAserver;27000@siteBserver;siteZserver', 'unix');
    expect(imported.skipped).toEqual([]);
    expect(imported.entries).toEqual([
      { name: 'siteAserver', type: 'single', hosts: [{ host: 'siteAserver', port: 27000 }] },
      { name: 'siteBserver', type: 'single', hosts: [{ host: 'siteBserver', port: 27000 }] },
      { name: 'siteZserver', type: 'single', hosts: [{ host: 'siteZserver', port: 27000 }] },
    ]);
    expect(exportLicensePath(imported.entries, 'unix')).toEqual({ ok: true, text: '27000@siteAserver:27000@siteBserver:27000@siteZserver' });
    expect(exportLicensePath(imported.entries, 'windows')).toEqual({ ok: true, text: '27000@siteAserver;27000@siteBserver;27000@siteZserver' });
  });

  it('imports a triad as one redundant entry and skips what cannot be stored, saying why', () => {
    const imported = importLicensePath('27000@a,27000@b,27000@c:@probe:/opt/x.lic:1@a:2@a', 'unix');
    expect(imported.entries.map((e) => [e.name, e.type, e.hosts.map((h) => h.port)])).toEqual([
      ['a (redundant)', 'redundant', [27000, 27000, 27000]],
      ['probe', 'single', [null]],
      ['a', 'single', [1]],
      ['a (2)', 'single', [2]],
    ]);
    expect(imported.skipped).toHaveLength(1);
    expect(imported.skipped[0]).toMatch(/license file/);
  });

  it('skips two members of a redundant server, which the client configuration cannot store, saying how to fix it', () => {
    const imported = importLicensePath('1717@a,27000@b:27000@c', 'unix');
    expect(imported.entries.map((e) => e.name)).toEqual(['c']);
    expect(imported.skipped).toEqual([expect.stringMatching(/"1717@a,27000@b" names 2 members .*three/)]);
  });

  it('parses the servers of `client add`', () => {
    expect(parseServerSpec('licsrv', 'unix')).toEqual({ type: 'single', hosts: [{ host: 'licsrv', port: 27000 }] });
    expect(parseServerSpec('1@a,2@b,3@c', 'unix')).toMatchObject({ type: 'redundant' });
    expect(parseServerSpec('1@a:2@b', 'unix')).toEqual({ error: expect.stringMatching(/is 2 servers/) });
    expect(parseServerSpec('x@a', 'unix')).toEqual({ error: expect.stringMatching(/entry 1 \("x@a"\)/) });
  });

  it('export then import gives the same hosts and types (property)', () => {
    const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
    const hostPort = fc.record({ host, port: fc.integer({ min: 1, max: 65535 }) });
    const entry = fc.oneof(
      fc.record({
        name: fc.constant('x'),
        type: fc.constant('single' as const),
        hosts: fc.tuple(fc.record({ host, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }) })).map((h) => [...h]),
      }),
      fc.record({ name: fc.constant('x'), type: fc.constant('redundant' as const), hosts: fc.tuple(hostPort, hostPort, hostPort).map((h) => [...h]) }),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.constantFrom('unix' as const, 'windows' as const), (entries, platform) => {
        const exported = exportLicensePath(entries, platform);
        if (!exported.ok) throw new Error(exported.error);
        const back = importLicensePath(exported.text, platform);
        expect(back.skipped).toEqual([]);
        expect(back.entries.map(({ type, hosts }) => ({ type, hosts }))).toEqual(entries.map(({ type, hosts }) => ({ type, hosts })));
      }),
      fuzzSettings({ seed: 8, numRuns: 300 }),
    );
  });
});
