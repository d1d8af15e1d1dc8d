import { describe, expect, it } from 'vitest';
import { DiskMonitor } from '../../../src/core/server/logs/diskMonitor';

const MB = 1024 * 1024;

function monitorWith(freeMb: () => number | Error, reusableMb = () => 0) {
  const lines: string[] = [];
  let changes = 0;
  const monitor = new DiskMonitor({
    folder: '/srv/triad',
    probe: async () => {
      const free = freeMb();
      if (free instanceof Error) throw free;
      return { freeBytes: free * MB, totalBytes: 1_000_000 * MB };
    },
    settings: () => ({ warnBelowMegabytes: 100, refuseGrantsBelowMegabytes: 10 }),
    reusableBytes: () => reusableMb() * MB,
    now: () => 42,
    debug: (line) => lines.push(line),
    changed: () => changes++,
  });
  return { monitor, lines, changes: () => changes };
}

describe('DiskMonitor', () => {
  it('logs each change of state once, not every measurement, and tells status listeners', async () => {
    let free = 500;
    const { monitor, lines, changes } = monitorWith(() => free);
    await monitor.check();
    expect(monitor.status()).toMatchObject({ state: 'ok', folder: '/srv/triad', checkedAt: 42 });
    expect(lines).toEqual([]);
    free = 50;
    await monitor.check();
    await monitor.check();
    expect(lines).toEqual([expect.stringMatching(/^Disk space low: 50 MB free for \/srv\/triad/)]);
    free = 5;
    await monitor.check();
    expect(lines[1]).toMatch(/^Disk nearly full: 5 MB free for \/srv\/triad, below the 10 MB kept/);
    free = 500;
    await monitor.check();
    expect(lines[2]).toBe('Disk space for /srv/triad is back above the warning threshold: new licenses are granted again.');
    expect(changes()).toBe(4);
  });

  it('refuses new licenses only while refusing or full, and sums the refusals up in the log', async () => {
    let free = 5;
    const { monitor, lines } = monitorWith(() => free);
    expect(monitor.refusal()).toBeNull(); // nothing measured yet: no reason to refuse
    await monitor.check();
    expect(monitor.refusal()?.code).toBe('DISK_FULL');
    expect(monitor.refusal()?.code).toBe('DISK_FULL');
    await monitor.check();
    expect(lines.at(-1)).toBe('Refused 2 new licenses since the last check for want of disk space');
    free = 50;
    await monitor.check();
    expect(monitor.refusal()).toBeNull();
  });

  it('after a write failed for want of space refuses at once, until a check finds room', async () => {
    let free = 0;
    const { monitor, lines } = monitorWith(() => free);
    monitor.writeFailed(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT' }));
    expect(monitor.status()).toBeNull();
    monitor.writeFailed(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(monitor.status()!.state).toBe('full');
    expect(monitor.refusal()!.reason).toContain("the server's disk is full");
    expect(lines[0]).toMatch(/^The database could not be written for want of disk space \(database or disk is full; 0 MB free/);
    await monitor.check();
    expect(monitor.status()!.state).toBe('full');
    free = 200;
    await monitor.check();
    expect(monitor.status()!.state).toBe('ok');
  });

  it('after a write failed, measures again at once but keeps refusing until the next check, whatever the file system says', async () => {
    const { monitor } = monitorWith(() => 5000);
    await monitor.check();
    monitor.writeFailed(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // a quota or a size limit can fail writes on a file system with room: the refusal holds
    expect(monitor.status()).toMatchObject({ state: 'full', message: expect.stringContaining('5000 MB free') });
    await monitor.check();
    expect(monitor.status()!.state).toBe('ok');
  });

  it('measures again when retention freed pages while short of space', async () => {
    let reusable = 0;
    let probes = 0;
    const { monitor } = monitorWith(
      () => {
        probes++;
        return 5;
      },
      () => reusable,
    );
    await monitor.check();
    expect(monitor.status()!.state).toBe('refusing');
    reusable = 500;
    monitor.spaceFreed();
    await monitor.check();
    expect(monitor.status()!.state).toBe('ok');
    const before = probes;
    monitor.spaceFreed(); // all is well now: no measurement
    expect(probes).toBe(before);
  });

  it('says once that a folder cannot be measured, and keeps its last state', async () => {
    let answer: number | Error = 50;
    const { monitor, lines } = monitorWith(() => answer);
    await monitor.check();
    answer = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    await monitor.check();
    await monitor.check();
    expect(lines.filter((line) => line.startsWith('Cannot measure'))).toEqual([
      'Cannot measure the free space of /srv/triad: ENOENT: no such file or directory',
    ]);
    expect(monitor.status()!.state).toBe('low');
  });

  it('drops a measurement still in flight when stopped (the store may be closed by then)', async () => {
    let answer: (value: { freeBytes: number; totalBytes: number }) => void = () => {};
    const monitor = new DiskMonitor({
      folder: '/srv/triad',
      probe: () => new Promise((resolve) => (answer = resolve)),
      settings: () => ({ warnBelowMegabytes: 100, refuseGrantsBelowMegabytes: 10 }),
      reusableBytes: () => {
        throw new TypeError('The database connection is not open');
      },
      now: () => 42,
      debug: () => {},
      changed: () => {},
    });
    const measuring = monitor.check();
    monitor.stop();
    answer({ freeBytes: MB, totalBytes: MB });
    await expect(measuring).resolves.toBeUndefined();
    expect(monitor.status()).toBeNull();
  });
});
