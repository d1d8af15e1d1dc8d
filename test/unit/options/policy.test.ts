import { describe, expect, it } from 'vitest';
import {
  authorizedUsers,
  isAllowed,
  isAuthorizedUser,
  lingerFor,
  matchesIpPattern,
  maxFor,
  parseOptionsFile,
  reservationsFor,
  timeoutFor,
  type PolicyFeature,
  type Requester,
} from '../../../src/core/options';

const opts = (text: string) => parseOptionsFile(text, 'v.opt').options;
const feature = (name: string, version = '1.0', attrs: Record<string, string> = {}): PolicyFeature => ({ name, version, attrs });
const who = (user: string, host = 'ws1', ip = '10.0.0.5', display = '/dev/pts/0'): Requester => ({ user, host, display, ip });

describe('isAllowed precedence (reference 5.1)', () => {
  it('allows everyone when there is neither an include nor an exclude list', () => {
    expect(isAllowed(opts('TIMEOUTALL 60'), feature('f1'), who('anyone'))).toEqual({ allowed: true });
  });

  it('with only EXCLUDE lines, denies the listed and allows everyone else', () => {
    const o = opts('EXCLUDE f1 USER lori');
    expect(isAllowed(o, feature('f1'), who('lori'))).toMatchObject({ allowed: false, reason: 'EXCLUDED', detail: 'v.opt:1 USER lori' });
    expect(isAllowed(o, feature('f1'), who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f2'), who('lori'))).toEqual({ allowed: true });
  });

  it('with only INCLUDE lines, allows only the listed, per feature', () => {
    const o = opts('INCLUDE f1 USER bob');
    expect(isAllowed(o, feature('f1'), who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f1'), who('eve'))).toMatchObject({ allowed: false, reason: 'NOT_INCLUDED' });
    expect(isAllowed(o, feature('f2'), who('eve'))).toEqual({ allowed: true });
  });

  it('checks EXCLUDE before INCLUDE: on both lists means denied', () => {
    const o = opts('GROUP devs bob lori\nINCLUDE f1 GROUP devs\nEXCLUDE f1 USER lori');
    expect(isAllowed(o, feature('f1'), who('lori'))).toMatchObject({ allowed: false, reason: 'EXCLUDED' });
    expect(isAllowed(o, feature('f1'), who('bob'))).toEqual({ allowed: true });
  });

  it('applies EXCLUDEALL and INCLUDEALL to every feature', () => {
    const o = opts('EXCLUDEALL HOST kiosk\nINCLUDEALL INTERNET 10.0.*.*');
    expect(isAllowed(o, feature('any'), who('bob', 'KIOSK'))).toMatchObject({ allowed: false, reason: 'EXCLUDED' });
    expect(isAllowed(o, feature('any'), who('bob', 'ws', '10.0.3.4'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('any'), who('bob', 'ws', '192.168.1.1'))).toMatchObject({ allowed: false, reason: 'NOT_INCLUDED' });
  });

  it('matches HOST_GROUP, DISPLAY and PROJECT targets', () => {
    const o = opts('HOST_GROUP lab m1 m2\nEXCLUDE f1 HOST_GROUP lab\nEXCLUDE f2 DISPLAY :0\nEXCLUDE f3 PROJECT secret');
    expect(isAllowed(o, feature('f1'), who('a', 'M2'))).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f1'), who('a', 'm3'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f2'), { ...who('a'), display: ':0' })).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f3'), { ...who('a'), project: 'secret' })).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f3'), who('a'))).toEqual({ allowed: true });
  });

  it('user names are case-sensitive, host names are not', () => {
    const o = opts('EXCLUDE f1 USER Bob\nEXCLUDE f1 HOST BigBox');
    expect(isAllowed(o, feature('f1'), who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f1'), who('Bob'))).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f1'), who('x', 'bigbox'))).toMatchObject({ allowed: false });
  });

  it('GROUPCASEINSENSITIVE ON lets GROUP members match in any case; OFF (the default) does not', () => {
    const rules = 'GROUP eng Ann\nINCLUDE f1 GROUP eng';
    expect(isAllowed(opts(rules), feature('f1'), who('ann'))).toMatchObject({ allowed: false });
    expect(isAllowed(opts(`GROUPCASEINSENSITIVE ON\n${rules}`), feature('f1'), who('ann'))).toEqual({ allowed: true });
    expect(isAllowed(opts(`GROUPCASEINSENSITIVE OFF\n${rules}`), feature('f1'), who('ann'))).toMatchObject({ allowed: false });
    expect(parseOptionsFile('GROUPCASEINSENSITIVE maybe', 'v.opt').diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', message: 'GROUPCASEINSENSITIVE takes ON or OFF, not "maybe".' }),
    ]);
  });

  it('honours feature qualifiers: VERSION compares numerically, other keywords exactly', () => {
    const o = opts('EXCLUDE f1:VERSION=2.0 USER bob\nEXCLUDE "f2 VENDOR_STRING=pro" USER bob');
    expect(isAllowed(o, feature('f1', '2'), who('bob'))).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f1', '1.0'), who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f2', '1.0', { VENDOR_STRING: 'pro' }), who('bob'))).toMatchObject({ allowed: false });
    expect(isAllowed(o, feature('f2', '1.0', { VENDOR_STRING: 'lite' }), who('bob'))).toEqual({ allowed: true });
    expect(isAllowed(o, feature('f2'), who('bob'))).toEqual({ allowed: true });
  });
});

describe('INTERNET patterns', () => {
  it('match per octet with * and accept IPv4-mapped IPv6', () => {
    expect(matchesIpPattern('10.1.2.3', '10.1.*.*')).toBe(true);
    expect(matchesIpPattern('::ffff:10.1.2.3', '10.1.*.3')).toBe(true);
    expect(matchesIpPattern('10.2.2.3', '10.1.*.*')).toBe(false);
    expect(matchesIpPattern('::1', '*.*.*.*')).toBe(false);
  });
});

describe('counts, timeouts, linger', () => {
  const o = opts(
    [
      'GROUP devs bob jan',
      'RESERVE 1 compile USER robert',
      'RESERVE 2 compile GROUP devs',
      'RESERVE 1 other USER x',
      'MAX 5 f1 USER jan',
      'MAX 2 f1 GROUP devs',
      'TIMEOUT f1 3600',
      'TIMEOUT f1 1800',
      'TIMEOUTALL 7200',
      'LINGER f1 30',
    ].join('\n'),
  );

  it('returns the MAX rules that apply to the requester', () => {
    expect(maxFor(o, feature('f1'), who('jan')).map((r) => r.count)).toEqual([5, 2]);
    expect(maxFor(o, feature('f1'), who('bob')).map((r) => r.count)).toEqual([2]);
    expect(maxFor(o, feature('f1'), who('eve'))).toEqual([]);
  });

  it('returns the reservations of a feature in file order', () => {
    expect(reservationsFor(o, feature('compile')).map((r) => [r.count, r.target.name])).toEqual([
      [1, 'robert'],
      [2, 'devs'],
    ]);
  });

  it('timeoutFor: the last TIMEOUT for the feature, else TIMEOUTALL, raised to a minimum', () => {
    expect(timeoutFor(o, feature('f1'))).toBe(1800);
    expect(timeoutFor(o, feature('f9'))).toBe(7200);
    expect(timeoutFor(o, feature('f1'), 7200)).toBe(7200);
    expect(timeoutFor(opts(''), feature('f1'))).toBeNull();
  });

  it('lingerFor reads LINGER lines', () => {
    expect(lingerFor(o, feature('f1'))).toBe(30);
    expect(lingerFor(o, feature('f2'))).toBeNull();
  });
});

describe('Authorized User (USER_BASED) support', () => {
  it('names the users of INCLUDE lines, directly and through groups, and nobody else', () => {
    const o = opts('GROUP team ann ben\nINCLUDE doors USER zoe\nINCLUDE doors GROUP team\nINCLUDEALL USER root\nINCLUDE other USER max');
    expect(authorizedUsers(o, feature('doors'))).toEqual(['zoe', 'ann', 'ben']);
    expect(isAuthorizedUser(o, feature('doors'), who('ben'))).toBe(true);
    expect(isAuthorizedUser(o, feature('doors'), who('root'))).toBe(false);
    expect(isAuthorizedUser(o, feature('doors'), who('max'))).toBe(false);
  });
});
