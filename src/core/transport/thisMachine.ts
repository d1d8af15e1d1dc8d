import os from 'node:os';

/**
 * Whether a connection comes from this machine, for "remote admin is off by default"
 * (DESIGN.md section 4). A client on this machine connects from one of its interface addresses
 * (127.0.0.1 for any loopback destination, the LAN address for the LAN address). The rest of
 * 127.0.0.0/8 is not treated as local: tests run three "machines" on 127.0.0.1/.2/.3, and a
 * client there binds its source address on purpose. Read on each call: addresses change (DHCP).
 */
export function isThisMachine(ip: string): boolean {
  if (ip === '127.0.0.1' || ip === '::1') return true;
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((a) => a.address === ip));
}
