import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatLicenseTable,
  formatLmstatFailure,
  formatLmstatText,
  formatStartTime,
  formatStatusDate,
  lmstatJson,
  userLine,
  type ServerReport,
} from '../../../src/core/lmstat';
import { CLOCK, triadReport, triadStatus } from './sampleStatus';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/lmstat/${name}`, import.meta.url)), 'utf8');

describe('lmstat text: golden files', () => {
  it('-a for a triad with one member down equals the golden file', () => {
    expect(formatLmstatText([triadReport()], { usage: 'all' }, CLOCK)).toBe(fixture('triad-a.txt'));
  });

  it('-f for one feature of a single server equals the golden file', () => {
    const status = { ...triadStatus(), mode: 'single' as const, host: 'licsrv', port: 27000, master: 'licsrv', members: [] };
    const report: ServerReport = { members: [{ host: 'licsrv', port: 27000 }], probes: [{ host: 'licsrv', port: 27000, status }] };
    expect(formatLmstatText([report], { usage: { feature: 'Rhapsody' } }, CLOCK)).toBe(fixture('single-f.txt'));
  });

  it('-i equals the golden file', () => {
    expect(formatLicenseTable([triadStatus()], null)).toBe(fixture('triad-i.txt'));
  });
});

// Regexes written from the format rules of reference section 4.2 (and shaped like the ones
// monitoring exporters use), not from our implementation.
const RULES = {
  statusOn: /^Flexible License Manager status on (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/,
  servers: /^License server status: ((?:\d+@[\w.-]+)(?:,\d+@[\w.-]+)*)$/,
  licenseFiles: /^ {4}License file\(s\) on ([\w.-]+): (.+:)$/,
  serverUp: /^([\w.-]+): license server (UP)( \(MASTER\))? (v[\d.]+)$/,
  serverDown: /^([\w.-]+): Cannot connect to license server system\. \(-15,570:\d+ "[^"]+"\)$/,
  vendorOn: /^Vendor daemon status \(on ([\w.-]+)\):$/,
  vendor: /^\s+(\w+): (UP|DOWN) (v[\d.]+)$/,
  usage: /^Users of (.*): {2}\(Total of (\d+) licenses? issued; {2}Total of (\d+) licenses? in use\)$/,
  uncounted: /^Users of (.*): {2}\(Uncounted, node-locked\)$/,
  unsupported: /^Users of (.*): {2}\(Error: \d+ licenses, unsupported by licensed server\)$/,
  pool: /^ {2}"([^"]+)" v([\d.]+), vendor: (\w+), expiry: ([\w-]+(?:\(no expiration date\))?)$/,
  poolType: /^\s+(floating|uncounted nodelocked|nodelocked) license/,
  user: /^\s+(\S+) ([\w.-]+) (.+) \(v([\w.]+)\) \(([\w.-]+)\/(\d+) (\d+)\), start (\w{3}) (\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2})(?:, (\d+) licenses)?(?:\s+\(linger: (\d+) \/ (\d+)\))?$/,
  reservation: /^\t(\d+) RESERVATIONs? for (HOST|GROUP|HOST_GROUP|USER|DISPLAY|INTERNET) (\S+) \(([\w.-]+)\/(\d+)\)$/,
};

describe('lmstat text read back with the reference format rules', () => {
  const text = formatLmstatText([triadReport()], { usage: 'all' }, CLOCK);
  const lines = text.split('\n');
  const matching = (re: RegExp) => lines.map((line) => re.exec(line)).filter((m): m is RegExpExecArray => m !== null);

  it('reads the header, server and vendor lines', () => {
    expect(matching(RULES.statusOn)[0].slice(1)).toEqual(['Fri', '10', '20', '2017', '17', '02']);
    expect(matching(RULES.servers)[0][1]).toBe('27002@host-1.domain.net,27002@host2.domain.net,27002@host3.domain.net');
    expect(matching(RULES.licenseFiles)[0][2]).toBe('/opt/triad/license.dat:');
    expect(matching(RULES.serverUp).map((m) => [m[1], m[3] !== undefined])).toEqual([
      ['host-1.domain.net', false],
      ['host2.domain.net', true],
    ]);
    expect(matching(RULES.serverDown).map((m) => m[1])).toEqual(['host3.domain.net']);
    expect(matching(RULES.vendorOn)[0][1]).toBe('host2.domain.net');
    expect(matching(RULES.vendor).map((m) => m.slice(1))).toEqual([['ibmratl', 'UP', 'v1.0.0']]);
  });

  it('reads the usage totals with singular forms, summed over pools, open reservations in use', () => {
    // DOORS: 8 seats checked out and 3 reserved seats nobody took (lmutil counts those in use)
    expect(matching(RULES.usage).map((m) => m.slice(1))).toEqual([
      ['DOORS', '21', '11'],
      ['ClearCase', '1', '0'],
      ['Rhapsody', '3', '1'],
    ]);
    expect(lines).toContain('Users of DOORS:  (Total of 21 licenses issued;  Total of 11 licenses in use)');
    expect(lines).toContain('Users of ClearCase:  (Total of 1 license issued;  Total of 0 licenses in use)');
    expect(matching(RULES.uncounted).map((m) => m[1])).toEqual(['RequisitePro']);
    expect(matching(RULES.unsupported).map((m) => m[1])).toEqual(['Tau']);
  });

  it('reads pools, users (start time in the given zone, counts, linger) and reservations', () => {
    expect(matching(RULES.pool).map((m) => m.slice(1))).toEqual([
      ['DOORS', '9.7', 'ibmratl', '31-dec-2026'],
      ['DOORS', '9.6', 'ibmratl', '1-jan-0'],
      ['Rhapsody', '1.0', 'ibmratl', 'permanent(no expiration date)'],
    ]);
    expect(matching(RULES.poolType).map((m) => m[1])).toEqual(['floating', 'floating', 'nodelocked']);
    const users = matching(RULES.user);
    expect(users.map((m) => [m[1], m[2], m[3], m[4], m[7], `${m[8]} ${m[9]}/${m[10]} ${m[11]}:${m[12]}`, m[13] ?? '1', m[14] ?? null])).toEqual([
      ['alice', 'ws01', '/dev/tty', '9.7', '5226', 'Fri 10/20 8:33', '1', null],
      ['bob', 'ws02', 'ws02', '9.7', '7086', 'Wed 10/18 13:05', '5', null],
      ['carol', 'ws03', '/dev/pts/0', '9.0', '24480', 'Fri 10/20 0:00', '1', '600'],
      ['dave', 'ws04', '/dev/tty', '9.6', '612', 'Fri 10/20 16:59', '1', null],
      ['erin', 'ws05', '/dev/tty', '1.0', '9', 'Fri 10/20 14:00', '1', null],
    ]);
    expect(matching(RULES.reservation).map((m) => m.slice(1, 4))).toEqual([
      ['2', 'GROUP', 'ENGINEERS'],
      ['1', 'HOST', 'HOSTPC11'],
    ]);
  });

  it('prints no line that the rules do not account for', () => {
    const known = Object.values(RULES);
    const other = lines.filter((line) => line !== '' && !known.some((re) => re.test(line)));
    expect(other).toEqual([
      'lmutil - Copyright (c) 2026 Triad License Server developers. All Rights Reserved.',
      'Feature usage info:',
      '  vendor_string: site=paris',
    ]);
  });
});

describe('lmstat dates', () => {
  it('formats without padding hours, in the given time zone, across midnight', () => {
    const ms = Date.UTC(2026, 0, 4, 23, 7);
    expect(formatStatusDate(ms, 'UTC')).toBe('Sun 1/4/2026 23:07');
    expect(formatStatusDate(ms, 'Europe/Paris')).toBe('Mon 1/5/2026 0:07');
    expect(formatStartTime(ms, 'America/New_York')).toBe('Sun 1/4 18:07');
  });
});

describe('lmstat errors and options', () => {
  const down: ServerReport = {
    members: [{ host: 'licsrv', port: 27000 }],
    probes: [{ host: 'licsrv', port: 27000, failure: { code: 'ECONNREFUSED', message: 'x' } }],
  };

  it('says the FlexLM words when nothing answers', () => {
    expect(formatLmstatFailure([down], CLOCK)).toMatch(/\nError getting status: Cannot connect to license server system\. \(-15,570:111 "Connection refused"\)\n$/);
    expect(formatLmstatFailure([down, triadReport()], CLOCK)).toBeNull();
  });

  it('names a feature that does not exist', () => {
    expect(formatLmstatText([triadReport()], { usage: { feature: 'Nope' } }, CLOCK)).toContain(
      'Users of Nope: Cannot get users of Nope: No such feature exists. (-5,222)',
    );
  });

  it('without -a or -f prints servers and vendors only', () => {
    const text = formatLmstatText([triadReport()], { usage: 'none' }, CLOCK);
    expect(text).toContain('  ibmratl: UP v1.0.0');
    expect(text).not.toContain('Feature usage info:');
  });

  it('shows the vendor daemon down when the answering server has no quorum', () => {
    const status = { ...triadStatus(), role: 'no-quorum' as const, master: null };
    const report: ServerReport = { members: [{ host: 'a', port: 1 }], probes: [{ host: 'a', port: 1, status }] };
    const text = formatLmstatText([report], { usage: 'none' }, CLOCK);
    expect(text).toContain('  ibmratl: The desired vendor daemon is down. (-97,121)');
    expect(text).toContain('host2.domain.net: license server UP v1.0.0\n');
  });

  it('--json carries the same data, filtered like the text', () => {
    const json = lmstatJson([triadReport()], { usage: { feature: 'DOORS' } }, CLOCK.nowMs);
    expect(json.servers[0].members.map((m) => [m.host, m.up, m.master])).toEqual([
      ['host-1.domain.net', true, false],
      ['host2.domain.net', true, true],
      ['host3.domain.net', false, false],
    ]);
    expect(json.servers[0].members[2].error).toMatch(/Connection refused/);
    expect(json.servers[0].status?.features.map((f) => [f.name, f.version, f.inUse])).toEqual([
      ['DOORS', '9.7', 7],
      ['DOORS', '9.6', 1],
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('lmstat selections: -A, -S, -s, several entries', () => {
  const usersOf = (text: string) => [...text.matchAll(/^Users of (\S+):/gm)].map((m) => m[1]);

  it('-A lists only the features with licenses checked out', () => {
    expect(usersOf(formatLmstatText([triadReport()], { usage: 'active' }, CLOCK))).toEqual(['DOORS', 'Rhapsody']);
  });

  it("-S VENDOR keeps that vendor daemon and its features; another vendor's are left out", () => {
    const status = triadStatus();
    status.vendors.push({ name: 'telelogic', up: true, version: 'v1.0.0', problem: null });
    status.features[2] = { ...status.features[2], vendor: 'telelogic' };
    const report: ServerReport = { members: [{ host: 'host2.domain.net', port: 27002 }], probes: [{ host: 'host2.domain.net', port: 27002, status }] };
    const text = formatLmstatText([report], { usage: 'all', vendor: 'telelogic' }, CLOCK);
    expect(text).toContain('  telelogic: UP v1.0.0\n');
    expect(text).not.toContain('ibmratl: UP');
    expect(usersOf(text)).toEqual(['ClearCase']);
  });

  it('-s prints the server status part only, of the named server when given', () => {
    const single = { ...triadStatus(), mode: 'single' as const, host: 'licsrv', port: 27000, master: 'licsrv' };
    const other: ServerReport = { members: [{ host: 'licsrv', port: 27000 }], probes: [{ host: 'licsrv', port: 27000, status: single }] };
    const all = formatLmstatText([triadReport(), other], { usage: 'none', serverStatus: { server: null } }, CLOCK);
    expect(all).not.toContain('Vendor daemon status');
    expect(all).toContain('host2.domain.net: license server UP (MASTER) v1.0.0\n');
    expect(all).toContain('licsrv: license server UP (MASTER) v1.0.0\n');
    const one = formatLmstatText([triadReport(), other], { usage: 'none', serverStatus: { server: 'LICSRV' } }, CLOCK);
    expect(one).toContain('License server status: 27000@licsrv\n');
    expect(one).not.toContain('host2.domain.net');
  });

  it("separates the entries of a license path with lmutil's dashed line", () => {
    const text = formatLmstatText([triadReport(), triadReport()], { usage: 'none' }, CLOCK);
    expect(text).toContain(`\n\n\n${'-'.repeat(76)}\nLicense server status: `);
  });

  it('leaves an empty display out of the user line, as lmutil does', () => {
    const [alice] = triadStatus().features[0].users;
    expect(userLine({ ...alice, display: '' }, CLOCK)).toBe('    alice ws01 (v9.7) (host2.domain.net/27002 5226), start Fri 10/20 8:33');
  });
});
