import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stoppedStatus } from '../../../src/core/server/licensing/stoppedStatus';
import { makeTempDir } from '../../support/tempDir';

const temp = makeTempDir('stopped-status-');
afterAll(() => temp.remove());

function license(name: string, lines: string[]): string {
  const file = path.join(temp.dir, name);
  writeFileSync(file, [...lines, 'VENDOR ibmratl', 'FEATURE cad ibmratl 1.0 permanent 5', ''].join('\n'));
  return file;
}

describe('status of a stopped server', () => {
  it('shows the address its license file configures, not this host name and port 0', () => {
    const licensePath = license('single.lic', ['SERVER lic1.corp.example.com ANY 27005']);
    const status = stoppedStatus({ licensePath, identity: { as: 'lic1.corp.example.com' }, problem: null, heldSeats: 0, nowMs: 1 });
    expect(status.role).toBe('stopped');
    expect(`${status.port}@${status.host}`).toBe('27005@lic1.corp.example.com');
    expect(status.members.map((m) => [m.host, m.up, m.self])).toEqual([['lic1.corp.example.com', false, true]]);
  });

  it('says the seats held come back on Start', () => {
    const licensePath = license('held.lic', ['SERVER lic1 ANY 27000']);
    const status = stoppedStatus({
      licensePath,
      identity: { as: 'lic1' },
      problem: 'The license server stopped: stopped from the admin app.',
      heldSeats: 3,
      nowMs: 1,
    });
    expect(status.notServing).toContain('3 seats were held when it stopped: they are kept and come back when you Start it');
    expect(status.warnings).toEqual(['The license server stopped: stopped from the admin app.']);
  });

  it('lists a triad member with its two peers, all down', () => {
    const licensePath = license('triad.lic', ['SERVER a ANY 27000', 'SERVER b ANY 27000', 'SERVER c ANY 27001']);
    const status = stoppedStatus({ licensePath, identity: { as: 'c' }, problem: null, heldSeats: 2, nowMs: 1 });
    expect(status.mode).toBe('triad');
    expect(`${status.port}@${status.host}`).toBe('27001@c');
    expect(status.members.map((m) => `${m.rank} ${m.host} ${m.up ? 'up' : 'down'}${m.self ? ' self' : ''}`)).toEqual([
      'primary a down',
      'secondary b down',
      'tertiary c down self',
    ]);
    expect(status.notServing).toContain('rejoins');
  });

  it('a --port override wins; an unreadable file still gives a status', () => {
    const licensePath = license('port.lic', ['SERVER lic1 ANY']);
    expect(stoppedStatus({ licensePath, identity: { as: 'lic1' }, port: 27123, problem: null, heldSeats: 0, nowMs: 1 }).port).toBe(27123);
    expect(stoppedStatus({ licensePath, identity: { as: 'lic1' }, problem: null, heldSeats: 0, nowMs: 1 }).port).toBe(27000);
    const missing = stoppedStatus({ licensePath: path.join(temp.dir, 'nothing.lic'), identity: {}, problem: 'cannot read', heldSeats: 0, nowMs: 1 });
    expect(missing.role).toBe('stopped');
    expect(missing.members).toEqual([]);
  });
});
