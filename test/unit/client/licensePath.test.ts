import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuzzSettings } from '../../support/fuzzSettings';
import {
  formatLicensePath,
  parseLicensePath,
  type LicensePathEntry,
  type PathPlatform,
} from '../../../src/core/client/licensePath';
import { buildSearchList } from '../../../src/core/client/licensePathSources';

describe('parseLicensePath: the seed white paper examples', () => {
  it('reads the multi-site UNIX example as three independent servers, the bare host on 27000', () => {
    const parsed = parseLicensePath('27000@siteAserver;27000@siteBserver;siteZserver', 'unix');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toEqual([
      { kind: 'server', host: 'siteAserver', port: 27000 },
      { kind: 'server', host: 'siteBserver', port: 27000 },
      { kind: 'server', host: 'siteZserver', port: 27000 },
    ]);
  });

  it('reads the redundant-server UNIX example as three single entries (the search follows redirects)', () => {
    const parsed = parseLicensePath('27000@server1:27000@server2:27000@server3', 'unix');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toEqual([
      { kind: 'server', host: 'server1', port: 27000 },
      { kind: 'server', host: 'server2', port: 27000 },
      { kind: 'server', host: 'server3', port: 27000 },
    ]);
  });

  it('reads the multi-site example the same way on Windows', () => {
    expect(parseLicensePath('27000@siteAserver;27000@siteBserver;siteZserver', 'windows').entries).toHaveLength(3);
  });
});

describe('parseLicensePath: entry forms', () => {
  it('reads a comma-separated triad as one entry', () => {
    expect(parseLicensePath('27000@a,27001@b,27002@c', 'unix').entries).toEqual([
      {
        kind: 'triad',
        members: [
          { host: 'a', port: 27000 },
          { host: 'b', port: 27001 },
          { host: 'c', port: 27002 },
        ],
      },
    ]);
  });

  it('reads @host as a probe of the default ports', () => {
    expect(parseLicensePath('@licsrv', 'unix').entries).toEqual([{ kind: 'server', host: 'licsrv', port: null }]);
  });

  it('keeps Windows drive paths whole and splits only on ;', () => {
    const parsed = parseLicensePath('C:\\flexlm\\license.dat;27000@host;D:\\licenses', 'windows');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toEqual([
      { kind: 'path', path: 'C:\\flexlm\\license.dat' },
      { kind: 'server', host: 'host', port: 27000 },
      { kind: 'path', path: 'D:\\licenses' },
    ]);
  });

  it('reads UNIX paths, directories and bare *.lic names as paths', () => {
    expect(parseLicensePath('/opt/license.dat:./licenses:server.lic:~/x', 'unix').entries).toEqual([
      { kind: 'path', path: '/opt/license.dat' },
      { kind: 'path', path: './licenses' },
      { kind: 'path', path: 'server.lic' },
      { kind: 'path', path: '~/x' },
    ]);
  });

  it('skips empty items such as a leading separator', () => {
    expect(parseLicensePath(':27000@a::', 'unix')).toEqual({ entries: [{ kind: 'server', host: 'a', port: 27000 }], errors: [] });
  });
});

describe('parseLicensePath: values from the field (issue 15)', () => {
  it('reads a two-entry comma list as one redundant entry whose members are tried in order, as lmutil does', () => {
    for (const platform of ['unix', 'windows'] as const) {
      expect(parseLicensePath('1717@a,27000@b', platform)).toEqual({
        entries: [{ kind: 'triad', members: [{ host: 'a', port: 1717 }, { host: 'b', port: 27000 }] }],
        errors: [],
      });
    }
  });

  it('reads quoted values: the whole value, each entry, and a quoted path with a separator inside', () => {
    expect(parseLicensePath('"27000@host"', 'unix')).toEqual({ entries: [{ kind: 'server', host: 'host', port: 27000 }], errors: [] });
    expect(parseLicensePath('"27000@a;27000@b"', 'windows').entries).toEqual([
      { kind: 'server', host: 'a', port: 27000 },
      { kind: 'server', host: 'b', port: 27000 },
    ]);
    expect(parseLicensePath('"C:\\Program Files\\lic;1.dat";"27000@h"', 'windows').entries).toEqual([
      { kind: 'path', path: 'C:\\Program Files\\lic;1.dat' },
      { kind: 'server', host: 'h', port: 27000 },
    ]);
    expect(parseLicensePath('"/opt/a:b/x.lic":27000@h', 'unix').entries).toEqual([
      { kind: 'path', path: '/opt/a:b/x.lic' },
      { kind: 'server', host: 'h', port: 27000 },
    ]);
  });

  it('says plainly when a quote is not closed', () => {
    const parsed = parseLicensePath('27000@a:"27000@b', 'unix');
    expect(parsed.entries).toEqual([{ kind: 'server', host: 'a', port: 27000 }]);
    expect(parsed.errors).toEqual([expect.objectContaining({ position: 2, entry: '"27000@b', message: expect.stringMatching(/quote/) })]);
  });

  it('does not read a Windows drive path as a server on UNIX: it names the entry and says why', () => {
    for (const value of ['C:\\flexlm\\license.dat;27000@host', 'C:/flexlm/license.dat:27000@host']) {
      const parsed = parseLicensePath(value, 'unix');
      expect(parsed.entries).toEqual([{ kind: 'server', host: 'host', port: 27000 }]);
      expect(parsed.errors).toHaveLength(1);
      expect(parsed.errors[0]).toMatchObject({ position: 1, entry: value.split(/[;:](?=2)/)[0] });
      expect(parsed.errors[0].message).toMatch(/Windows path/);
      expect(parsed.errors[0].hint).toMatch(/UNIX path|port@host/);
    }
  });

  it('keeps UNC paths whole on Windows and refuses them on UNIX with a reason', () => {
    expect(parseLicensePath('\\\\srv\\share\\license.dat;27000@h', 'windows').entries).toEqual([
      { kind: 'path', path: '\\\\srv\\share\\license.dat' },
      { kind: 'server', host: 'h', port: 27000 },
    ]);
    const unix = parseLicensePath('\\\\srv\\share\\license.dat:27000@h', 'unix');
    expect(unix.entries).toEqual([{ kind: 'server', host: 'h', port: 27000 }]);
    expect(unix.errors[0].message).toMatch(/Windows network path/);
  });
});

describe('parseLicensePath: errors name the entry and its position', () => {
  it.each([
    ['27000@a:x@b', 2, 'x@b', /port "x"/],
    ['27000@a;70000@b', 2, '70000@b', /1 to 65535/],
    ['1@a,2@b,3@c,4@d', 1, '1@a,2@b,3@c,4@d', /at most three/],
    ['27000@a,27000@a', 1, '27000@a,27000@a', /twice/],
    ['27000@a,@b,27000@c', 1, '27000@a,@b,27000@c', /needs port@host/],
    ['a:27000@', 2, '27000@', /names no host/],
    ['a:b c', 2, 'b c', /neither/],
  ])('%s', (text, position, entry, message) => {
    const parsed = parseLicensePath(text, 'unix');
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ position, entry });
    expect(parsed.errors[0].message).toMatch(message);
    expect(parsed.errors[0].hint.length).toBeGreaterThan(0);
  });

  it('hints at ; when a Windows value uses :', () => {
    const parsed = parseLicensePath('27000@a:27000@b', 'windows');
    expect(parsed.errors[0].hint).toMatch(/separate entries with ";"/);
  });
});

describe('buildSearchList: order of sources', () => {
  it('reads an IPv6 server in brackets on both platforms, and writes it back the same way', () => {
    for (const platform of ['unix', 'windows'] as const) {
      const sep = platform === 'unix' ? ':' : ';';
      const parsed = parseLicensePath(`27000@[::1]${sep}@[2001:db8::1]${sep}1@[::1],2@[::2],3@[::3]`, platform);
      expect(parsed.errors).toEqual([]);
      expect(parsed.entries).toEqual([
        { kind: 'server', host: '::1', port: 27000 },
        { kind: 'server', host: '2001:db8::1', port: null },
        { kind: 'triad', members: [{ host: '::1', port: 1 }, { host: '::2', port: 2 }, { host: '::3', port: 3 }] },
      ]);
      expect(formatLicensePath(parsed.entries, platform)).toEqual({ ok: true, text: `27000@[::1]${sep}@[2001:db8::1]${sep}1@[::1],2@[::2],3@[::3]` });
    }
    // unbracketed, its colons are separators on UNIX: the error says how to write it
    const bare = parseLicensePath('27000@::1', 'unix');
    expect(bare.errors[0]?.hint).toContain('27000@[2001:db8::1]');
  });

  it('-c alone when it is given: the environment and the stored list are not searched (lmutil -c)', () => {
    const list = buildSearchList({
      commandLine: '1@c',
      vendor: 'ibmratl',
      env: { IBMRATL_LICENSE_FILE: '2@v', LM_LICENSE_FILE: '3@l' },
      stored: { useLicenseServer: true, entries: [{ name: 'site', type: 'single', hosts: [{ host: 's', port: 4 }] }] },
      platform: 'unix',
    });
    expect(list.entries.map((e) => [e.source, e.entry])).toEqual([['-c', { kind: 'server', host: 'c', port: 1 }]]);
  });

  it('without -c searches VENDOR_LICENSE_FILE, then LM_LICENSE_FILE, then the stored configuration', () => {
    const list = buildSearchList({
      vendor: 'ibmratl',
      env: { IBMRATL_LICENSE_FILE: '2@v', LM_LICENSE_FILE: '3@l:2@v' },
      stored: {
        useLicenseServer: true,
        entries: [
          { name: 'site', type: 'single', hosts: [{ host: 's', port: 4 }] },
          { name: 'triad', type: 'redundant', hosts: [{ host: 'p', port: 5 }, { host: 'q', port: 5 }, { host: 'r', port: 5 }] },
        ],
      },
      platform: 'unix',
    });
    expect(list.entries.map((e) => e.source)).toEqual([
      'IBMRATL_LICENSE_FILE',
      'LM_LICENSE_FILE',
      'client configuration "site"',
      'client configuration "triad"',
    ]);
    expect(list.entries[3].entry.kind).toBe('triad');
  });

  it('ignores the stored configuration when "Use license server" is off, and reports bad entries with their source', () => {
    const list = buildSearchList({
      env: { LM_LICENSE_FILE: '27000@a:bad@' },
      stored: { useLicenseServer: false, entries: [{ name: 'x', type: 'single', hosts: [{ host: 's', port: 4 }] }] },
      platform: 'unix',
    });
    expect(list.entries).toHaveLength(1);
    expect(list.errors).toEqual([{ source: 'LM_LICENSE_FILE', error: expect.objectContaining({ position: 2, entry: 'bad@' }) }]);
  });
});

const hostArb = fc.stringMatching(/^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,20}[A-Za-z0-9_])?$/).filter((h) => !/\.(lic|dat)$/i.test(h));
const portArb = fc.integer({ min: 1, max: 65535 });
const memberArb = fc.record({ host: hostArb, port: portArb });

function entryArb(platform: PathPlatform): fc.Arbitrary<LicensePathEntry> {
  const forbidden = platform === 'windows' ? /[;]/ : /[:;]/;
  const pathArb = fc
    .tuple(fc.constantFrom('/', './', '~/', platform === 'windows' ? 'C:\\' : '/opt/'), fc.string({ minLength: 0, maxLength: 20 }))
    .map(([prefix, rest]) => prefix + rest)
    // double quotes are never part of an entry (they are removed when read)
    .filter((p) => !forbidden.test(p) && !p.includes('"') && p.trim() === p);
  return fc.oneof(
    fc.record({ kind: fc.constant('server' as const), host: hostArb, port: fc.option(portArb, { nil: null }) }),
    fc.record({
      kind: fc.constant('triad' as const),
      members: fc.uniqueArray(memberArb, { minLength: 2, maxLength: 3, selector: (m) => `${m.port}@${m.host.toLowerCase()}` }),
    }),
    fc.record({ kind: fc.constant('path' as const), path: pathArb }),
  );
}

describe('licensePath properties', () => {
  for (const platform of ['unix', 'windows'] as const) {
    it(`format then parse gives the same list (${platform})`, () => {
      fc.assert(
        fc.property(fc.array(entryArb(platform), { maxLength: 8 }), (entries) => {
          const formatted = formatLicensePath(entries, platform);
          expect(formatted.ok).toBe(true);
          if (!formatted.ok) return;
          expect(parseLicensePath(formatted.text, platform)).toEqual({ entries, errors: [] });
        }),
        fuzzSettings({ seed: 5, numRuns: 500 }),
      );
    });

    it(`arbitrary strings give entries or errors, never exceptions (${platform})`, () => {
      const noisy = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc
          .array(fc.constantFrom('27000', '@', ',', ':', ';', 'host', '\\', '/', '.lic', ' ', '-1', '99999', ''), { maxLength: 15 })
          .map((parts) => parts.join('')),
      );
      fc.assert(
        fc.property(noisy, (text) => {
          const parsed = parseLicensePath(text, platform);
          for (const error of parsed.errors) {
            expect(error.position).toBeGreaterThanOrEqual(1);
            expect(text).toContain(error.entry);
            expect(error.message).not.toBe('');
          }
        }),
        fuzzSettings({ seed: 6, numRuns: 2000 }),
      );
    });
  }

  it('malformed ports and triads are always errors, never entries', () => {
    fc.assert(
      fc.property(hostArb, fc.integer({ min: 65536, max: 10_000_000 }), (host, port) => {
        const parsed = parseLicensePath(`${port}@${host}:27000@${host},27000@${host}`, 'unix');
        expect(parsed.entries).toEqual([]);
        expect(parsed.errors.map((e) => e.position)).toEqual([1, 2]);
      }),
      fuzzSettings({ seed: 7, numRuns: 200 }),
    );
  });
});
