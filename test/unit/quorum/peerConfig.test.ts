import { describe, expect, it } from 'vitest';
import { parseLicenseText } from '../../../src/core/license';
import { triadSetup } from '../../../src/core/server/triad/peerConfig';

const triadFile = (serverLines: string) => parseLicenseText(`${serverLines}\nVENDOR ibmratl\n`, 'license.dat').file;

describe('triad setup from the license file', () => {
  it('takes ranks, ports, HEARTBEAT_INTERVAL and PRIMARY_IS_MASTER from the SERVER lines', () => {
    const file = triadFile('SERVER Apple 111dead 27000 PRIMARY_IS_MASTER HEARTBEAT_INTERVAL=2\nSERVER Orange 2222DEAD 27001\nSERVER Banana 3333dead 27002');
    const setup = triadSetup(file, { self: 1, vendorDaemon: 'ibmratl', auth: '', newTriadId: 'n' });
    expect(setup.ok).toBe(true);
    if (!setup.ok) return;
    expect(setup.value.config.hosts).toEqual(['Apple', 'Orange', 'Banana']);
    expect(setup.value.config.heartbeatIntervalMs).toBe(2000);
    expect(setup.value.config.primaryIsMaster).toBe(true);
    expect(setup.value.config.identity.serverOrder).toEqual(['111dead', '2222dead', '3333dead']);
    expect(setup.value.addresses[2]).toEqual({ host: 'Banana', port: 27002 });
  });

  it('defaults to s = 1 s and agrees on the identity whatever the host names', () => {
    const a = triadSetup(triadFile('SERVER a 1 27000\nSERVER b 2 27000\nSERVER c 3 27000'), { self: 0, vendorDaemon: 'v', auth: '', newTriadId: 'n' });
    const b = triadSetup(triadFile('SERVER 10.0.0.1 1 27000\nSERVER 10.0.0.2 2 27000\nSERVER 10.0.0.3 3 27000'), {
      self: 0,
      vendorDaemon: 'v',
      auth: '',
      newTriadId: 'n',
    });
    expect(a.ok && a.value.config.heartbeatIntervalMs).toBe(1000);
    expect(a.ok && b.ok && a.value.config.identity).toEqual(b.ok && b.value.config.identity);
  });

  it('explains the seed\'s "SERVER lines without a port" case instead of crashing', () => {
    const setup = triadSetup(triadFile('SERVER a 1\nSERVER b 2 27000\nSERVER c 3 27000'), { self: 0, vendorDaemon: 'v', auth: '', newTriadId: 'n' });
    expect(setup).toEqual({
      ok: false,
      message: 'license.dat:1: SERVER a has no port. Three-server redundancy needs a port on all three SERVER lines, e.g. "SERVER a 1 27000".',
    });
  });

  it('refuses a file that is not a triad', () => {
    const setup = triadSetup(triadFile('SERVER a 1 27000'), { self: 0, vendorDaemon: 'v', auth: '', newTriadId: 'n' });
    expect(setup.ok).toBe(false);
  });
});
