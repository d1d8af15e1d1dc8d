import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectHostId, hostIdMatches, hostIdProblem, localHostIds, parseLicenseText } from '../../../src/core/license';

function nic(mac: string, address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac, internal, cidr: `${address}/24` };
}

const interfaces = {
  lo: [nic('00:00:00:00:00:00', '127.0.0.1', true)],
  tun0: [nic('00:00:00:00:00:00', '10.8.0.2')],
  eth0: [nic('A4:1F:D5:02:8D:74', '192.168.1.20')],
  eth1: [nic('c6:54:01:5c:10:1f', '10.0.0.5')],
};

describe('detectHostId', () => {
  it('is the 12 lowercase hex digits of the first non-loopback interface with a MAC', () => {
    expect(detectHostId(interfaces)).toBe('a41fd5028d74');
  });

  it('is null when only loopback exists', () => {
    expect(detectHostId({ lo: interfaces.lo })).toBeNull();
  });

  it('reads this machine without throwing', () => {
    const id = detectHostId();
    expect(id === null || /^[0-9a-f]{12}$/.test(id)).toBe(true);
  });
});

describe('hostIdMatches', () => {
  const local = localHostIds(interfaces, 'apple');

  it('lists MACs, IPv4 addresses and the host name of this machine', () => {
    expect(new Set(local)).toEqual(
      new Set(['a41fd5028d74', 'c654015c101f', 'INTERNET=10.8.0.2', 'INTERNET=192.168.1.20', 'INTERNET=10.0.0.5', 'HOSTNAME=apple']),
    );
    expect(local).not.toContain('000000000000');
  });

  it.each([
    ['a41fd5028d74', true],
    ['A41FD5028D74', true],
    ['c654015c101f', true],
    ['a41fd5028d75', false],
    ['ANY', true],
    ['any', true],
    ['DEMO', true],
    ['ID=1234-5678', true],
    ['INTERNET=192.168.1.*', true],
    ['INTERNET=192.168.2.*', false],
    ['HOSTNAME=APPLE', true],
    ['HOSTNAME=orange', false],
    ['"0000aaaa a41fd5028d74"', true],
    ['0000aaaa 11112222', false],
    ['FLEXID=9-12345678', false],
    ['', false],
  ])('%s -> %s', (licensed, expected) => {
    expect(hostIdMatches(licensed, local)).toBe(expected);
  });

  it('compares hex ids of 1 to 12 digits as numbers, and #decimal ids', () => {
    expect(hostIdMatches('111dead', ['0111dead'])).toBe(true);
    expect(hostIdMatches('0111DEAD', ['111dead'])).toBe(true);
    expect(hostIdMatches('111dead', ['111deaf'])).toBe(false);
    expect(hostIdMatches('#17', ['11'])).toBe(true);
    expect(hostIdMatches('#18', ['11'])).toBe(false);
  });
});

describe('hostIdProblem', () => {
  it.each(['111dead', 'a41fd5028d74', 'ANY', '#1234', 'ID=1234-5678', 'INTERNET=10.0.*.*', 'HOSTNAME=apple', 'FLEXID=9-1234', '"0a0b a41fd5028d74"'])(
    'accepts %s',
    (id) => expect(hostIdProblem(id, 'feature')).toBeNull(),
  );

  it.each([
    ['a41fd5028d7400', 'server', /not a host id/],
    ['xyz!', 'server', /not a host id/],
    ['DEMO', 'server', /only for uncounted FEATURE lines/],
    ['INTERNET=10.0', 'feature', /IPv4/],
    ['ID=abc', 'feature', /customer id/],
  ] as const)('rejects %s on a %s line', (id, where, message) => {
    expect(hostIdProblem(id, where)?.message).toMatch(message);
  });

  it('is a located warning in the parser, for SERVER host ids and HOSTID=', () => {
    const { diagnostics } = parseLicenseText('SERVER a xyz! 27000\nVENDOR v\nFEATURE f v 1.0 permanent uncounted HOSTID=INTERNET=1.2\n', 'f');
    expect(diagnostics.map((d) => [d.severity, d.line, d.column])).toEqual([
      ['warning', 1, 10],
      ['warning', 3, 44],
    ]);
  });
});
