import { describe, expect, it } from 'vitest';
import {
  attributeValue,
  commonAttributes,
  formatDiagnostic,
  parseLicenseFile,
  parseLicenseText,
  serverRanks,
  validateLicenseFile,
  type Diagnostic,
} from '../../../src/core/license';
import { fixture } from './fixtures';

const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error');
const warnings = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'warning');
const SEED = fixture('seed-triad.lic');

describe('seed sample (acceptance)', () => {
  it('parses as a triad: Apple primary, Orange secondary, Banana tertiary, port 27000, vendor ibmratl', () => {
    const { file, diagnostics } = parseLicenseFile(SEED, 'seed.lic');
    expect(diagnostics).toEqual([]);
    expect(file).not.toBeNull();
    const ranks = serverRanks(file!).map(({ server, rank }) => [rank, server.host, server.hostid, server.port]);
    expect(ranks).toEqual([
      ['primary', 'Apple', '111dead', 27000],
      ['secondary', 'Orange', '2222dead', 27000],
      ['tertiary', 'Banana', '3333dead', 27000],
    ]);
    expect(file!.vendors.map((v) => v.name)).toEqual(['ibmratl']);
  });

  it('without ports fails, naming every SERVER line and showing the corrected line', () => {
    const { file, diagnostics } = parseLicenseFile(fixture('seed-triad-no-ports.lic'), 'seed.lic');
    expect(file).toBeNull();
    const errs = errors(diagnostics);
    expect(errs.map((d) => d.line)).toEqual([1, 2, 3]);
    expect(errs[0].message).toContain('Apple');
    expect(errs[1].message).toContain('Orange');
    expect(errs[2].message).toContain('Banana');
    for (const e of errs) expect(e.message).toContain('a three-server triad needs a port on every SERVER line');
    expect(errs[0].hint).toContain('SERVER Apple 111dead 27000');
    expect(formatDiagnostic(errs[1])).toMatch(/^seed\.lic:2:\d+: error: .*Orange.*\n {2}hint: .*SERVER Orange 2222dead 27000/);
  });

  it('suggests the port the other members use', () => {
    const text = SEED.replace('2222dead  27000', '2222dead').replace(/27000/g, '27101');
    const errs = errors(parseLicenseText(text, 'f').diagnostics);
    expect(errs).toHaveLength(1);
    expect(errs[0].hint).toContain('SERVER Orange 2222dead 27101');
  });

  it('a single server without a port is fine (default ports 27000-27009)', () => {
    const { file, diagnostics } = parseLicenseFile('SERVER Apple 111dead\nVENDOR ibmratl\n', 'f');
    expect(diagnostics).toEqual([]);
    expect(serverRanks(file!)).toEqual([{ server: file!.servers[0], rank: 'single' }]);
  });
});

describe('real-world syntax', () => {
  it('parses the IBM-style file: TAB continuations, DAEMON, lowercase port=, quoted NOTICE across lines', () => {
    const { file, diagnostics } = parseLicenseFile(fixture('ibm-rlks.lic'), 'ibm.lic');
    expect(errors(diagnostics)).toEqual([]);
    const f = file!;
    expect(f.servers[0]).toMatchObject({ host: 'rlks1.example.com', port: 27000, primaryIsMaster: true, heartbeatInterval: 20 });
    expect(f.vendors).toMatchObject([
      { keyword: 'VENDOR', name: 'ibmratl', port: 27002, path: null, options: null },
      { keyword: 'DAEMON', name: 'telelogic', path: '/opt/IBM/RationalRLKS/bin/telelogic', options: 'telelogic.opt', port: null },
      { keyword: 'VENDOR', name: 'rational' },
    ]);
    expect(f.useServer).toBe(true);
    expect(f.features.map((x) => [x.keyword, x.name, x.line])).toEqual([
      ['INCREMENT', 'IBMUCD_Agent', 11],
      ['INCREMENT', 'DOORS', 15],
      ['FEATURE', 'rational_legacy', 18],
    ]);
    const ucd = f.features[0];
    expect(ucd.expiry).toEqual({ permanent: true });
    expect(ucd.count).toBe(40);
    expect(attributeValue(ucd, 'NOTICE')).toBe('Sales Order Number:1234567 Part Number:D0ABCLL Quantity:40');
    expect(attributeValue(ucd, 'vendor_info')).toBe('0|ucd|0');
    expect(ucd.sign).toBe('0096 3A6A 1B2C 3D4E 5F60 7A8B 9CAD BECF D0E1 F203 1425 3647 5869 7A8B 9CAD BECF');
    const doors = commonAttributes(f.features[1]);
    expect(f.features[1].expiry).toEqual({ permanent: false, year: 2030, month: 12, day: 31 });
    expect(doors).toMatchObject({ dupGroup: 'UH', vendorString: 'doors;site=ACME', supersede: [], tsOk: true, start: '01-jan-2024' });
    const legacy = f.features[2];
    expect(legacy).toMatchObject({ count: 'uncounted', licenseKey: '1A2B3C4D5E6F', expiry: { permanent: true } });
    expect(attributeValue(legacy, 'HOSTID')).toBe('ANY');
    expect(f.lines.filter((l) => l.kind === 'comment')).toHaveLength(3);
  });

  it('parses PACKAGE with COMPONENTS, unknown attributes, lowercase keyword and year-0 expiry', () => {
    const { file, diagnostics } = parseLicenseFile(fixture('package.lic'), 'p.lic');
    expect(errors(diagnostics)).toEqual([]);
    const f = file!;
    expect(f.packages).toHaveLength(1);
    expect(f.packages[0]).toMatchObject({ name: 'suite', vendor: 'acme', version: '1.0', sign: 'AB12' });
    expect(commonAttributes(f.packages[0]).components).toEqual(['cad:1.0', 'viewer:1.0:2']);
    expect(f.vendors[0]).toMatchObject({ options: '/etc/acme.opt', port: 27010, extras: [{ key: 'FUTURE_KEYWORD', value: '1', quoted: false }] });
    expect(f.features[1]).toMatchObject({ keyword: 'FEATURE', name: 'viewer', count: 0, expiry: { permanent: true } });
    expect(attributeValue(f.features[1], 'HOSTID')).toBe('0050568a1b2c ID=1234-5678');
    expect(attributeValue(f.features[1], 'sort')).toBe('50');
    expect(commonAttributes(f.features[0]).issuer).toBe('Acme Corp');
  });

  it.each([
    ['31-dec-2026', { year: 2026, month: 12, day: 31 }],
    ['31-DEC-2026', { year: 2026, month: 12, day: 31 }],
    ['1-Feb-2028', { year: 2028, month: 2, day: 1 }],
    ['29-feb-2028', { year: 2028, month: 2, day: 29 }],
  ])('reads expiry %s in any case', (text, date) => {
    const { file } = parseLicenseFile(`FEATURE f v 1.0 ${text} uncounted HOSTID=ANY\n`, 'f');
    expect(file!.features[0].expiry).toEqual({ permanent: false, ...date });
  });

  it.each(['permanent', 'PERMANENT', '1-jan-0', '01-jan-0000', '1-jan-00'])('reads %s as permanent', (text) => {
    const { file } = parseLicenseFile(`FEATURE f v 1.0 ${text} uncounted HOSTID=ANY\n`, 'f');
    expect(file!.features[0].expiry).toEqual({ permanent: true });
  });

  it('reads VENDOR options and port with or without keywords, in any case', () => {
    const { file } = parseLicenseFile(
      'VENDOR a /opt/a a.opt 27001\nVENDOR b options=b.opt Port=27002\nVENDOR c OPTIONS=c.opt\nVENDOR d 27004\n',
      'f',
    );
    expect(file!.vendors.map((v) => [v.name, v.path, v.options, v.port])).toEqual([
      ['a', '/opt/a', 'a.opt', 27001],
      ['b', null, 'b.opt', 27002],
      ['c', null, 'c.opt', null],
      ['d', null, null, 27004],
    ]);
  });

  it('reads HEARTBEAT_INTERVAL and unknown SERVER keywords', () => {
    const { file } = parseLicenseFile(
      'SERVER a 1 27000 HEARTBEAT_INTERVAL=5 PLAT=2\nSERVER b 2 27000\nSERVER c 3 27000\nVENDOR v\n',
      'f',
    );
    expect(file!.servers[0]).toMatchObject({ heartbeatInterval: 5, extras: [{ key: 'PLAT', value: '2' }] });
  });

  it('joins an indented continuation without backslash', () => {
    const { file, diagnostics } = parseLicenseFile('FEATURE f v 1.0 permanent uncounted\n\tHOSTID=ANY SIGN="AB CD"\nVENDOR v\n', 'f');
    expect(diagnostics).toEqual([]);
    expect(file!.features[0]).toMatchObject({ sign: 'AB CD', attributes: [{ key: 'HOSTID', value: 'ANY' }] });
    expect(file!.vendors[0].line).toBe(3);
  });
});

describe('errors a person can act on', () => {
  const cases: [string, string, number, RegExp][] = [
    ['two SERVER lines', 'SERVER a 1 27000\nSERVER b 2 27000\nVENDOR v\n', 2, /2 SERVER lines/],
    ['four SERVER lines', 'SERVER a 1 1\nSERVER b 2 2\nSERVER c 3 3\nSERVER d 4 4\nVENDOR v\n', 4, /4 SERVER lines/],
    ['same host twice', 'SERVER a 1 27000\nSERVER b 2 27000\nSERVER A 3 27000\nVENDOR v\n', 3, /already named/],
    ['port 0', 'SERVER a 1 0\nVENDOR v\n', 1, /outside 1-65535/],
    ['port 65536', 'SERVER a 1 65536\nVENDOR v\n', 1, /outside 1-65535/],
    ['non-numeric port', 'SERVER a 1 27k\nVENDOR v\n', 1, /not a number/],
    ['vendor port 70000', 'VENDOR v port=70000\n', 1, /outside 0-65535/],
    ['feature vendor without VENDOR line', 'SERVER a 1 27000\nVENDOR v\nFEATURE f w 1.0 permanent 5\n', 3, /vendor "w" of f has no VENDOR line/],
    ['31 February', 'FEATURE f v 1.0 31-feb-2026 uncounted\n', 1, /not a real date/],
    ['29 February of a common year', 'FEATURE f v 1.0 29-feb-2027 uncounted\n', 1, /not a real date/],
    ['unknown month', 'FEATURE f v 1.0 1-foo-2027 uncounted\n', 1, /not a month/],
    ['bad START date', 'FEATURE f v 1.0 permanent uncounted START=32-jan-2025\n', 1, /START/],
    ['negative count', 'SERVER a 1 27000\nVENDOR v\nFEATURE f v 1.0 permanent -3\n', 3, /is negative/],
    ['non-numeric count', 'SERVER a 1 27000\nVENDOR v\nFEATURE f v 1.0 permanent lots\n', 3, /not a number/],
    ['unterminated quote', 'VENDOR v\nFEATURE f v 1.0 permanent uncounted NOTICE="oops\nVENDOR w\n', 2, /never closed/],
    ['continuation at end of file', 'VENDOR v\nFEATURE f v 1.0 permanent uncounted \\', 2, /file ends here/],
    ['too few feature fields', 'VENDOR v\nFEATURE f v 1.0\n', 2, /missing/],
    ['bad version', 'VENDOR v\nFEATURE f v one permanent uncounted\n', 2, /version/],
    ['PACKAGE without COMPONENTS', 'VENDOR v\nPACKAGE p v 1.0 SIGN="00"\n', 2, /COMPONENTS/],
    ['SERVER without host id', 'SERVER a\n', 1, /missing/],
  ];
  it.each(cases)('%s', (_name, text, line, message) => {
    const { file, diagnostics } = parseLicenseFile(text, 'bad.lic');
    expect(file).toBeNull();
    const errs = errors(diagnostics);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0].line).toBe(line);
    expect(errs[0].message).toMatch(message);
    expect(errs[0].hint).toBeTruthy();
    expect(errs[0].column).toBeGreaterThan(0);
  });

  it('points the column at the offending token', () => {
    const [e] = errors(parseLicenseText('SERVER a 1 99999\n', 'f').diagnostics);
    expect([e.line, e.column]).toEqual([1, 12]);
    const [q] = errors(parseLicenseText('FEATURE f v 1.0 permanent 0 NOTICE="x\n', 'f').diagnostics);
    expect([q.line, q.column]).toEqual([1, 36]);
  });

  it('uncounted features need no SERVER or VENDOR line', () => {
    expect(parseLicenseFile('FEATURE f v 1.0 permanent uncounted HOSTID=ANY\n', 'f').diagnostics).toEqual([]);
  });

  it('keeps unknown lines as warnings, not errors', () => {
    const { file, diagnostics } = parseLicenseFile('VENDOR v\nHELLO world\n', 'f');
    expect(file).not.toBeNull();
    expect(warnings(diagnostics)[0]).toMatchObject({ line: 2, column: 1 });
  });
});

describe('clock-dependent warnings', () => {
  const text =
    'VENDOR v\nFEATURE old v 1.0 31-dec-2020 uncounted\nFEATURE soon v 1.0 permanent uncounted START=1-jan-2031\nFEATURE ok v 1.0 31-dec-2030 uncounted\n';
  const { file } = parseLicenseFile(text, 'f');
  const now = Date.UTC(2026, 10, 28);

  it('warns about expired features and future start dates', () => {
    const ds = validateLicenseFile(file!, { nowMs: now });
    expect(ds.map((d) => [d.severity, d.line])).toEqual([
      ['warning', 2],
      ['warning', 3],
    ]);
    expect(ds[0].message).toContain('expired');
    expect(ds[1].message).toContain('future');
  });

  it('a feature is usable through its expiry day (UTC)', () => {
    const lastDay = Date.UTC(2020, 11, 31, 23, 59);
    expect(validateLicenseFile(file!, { nowMs: lastDay }).filter((d) => d.line === 2)).toEqual([]);
    expect(validateLicenseFile(file!, { nowMs: Date.UTC(2021, 0, 1) }).filter((d) => d.line === 2)).toHaveLength(1);
  });
});
