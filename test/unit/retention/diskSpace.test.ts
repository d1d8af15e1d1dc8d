import { describe, expect, it } from 'vitest';
import { assessDisk, diskDenial, FULL_RECOVERY_BYTES, isOutOfSpace, recoveredFromFull, writableBytes } from '../../../src/core/retention/diskSpace';

const MB = 1024 * 1024;
const settings = { warnBelowMegabytes: 1024, refuseGrantsBelowMegabytes: 64 };
const sample = (freeMb: number, reusableMb = 0) => ({ freeBytes: freeMb * MB, totalBytes: 100_000 * MB, reusableBytes: reusableMb * MB, checkedAt: 5 });

describe('disk space', () => {
  it('is ok above the warning threshold, low below it, refusing below the reserve', () => {
    expect(assessDisk('/data', sample(2000), settings, null)).toMatchObject({
      state: 'ok',
      message: null,
      warnBelowBytes: 1024 * MB,
      refuseGrantsBelowBytes: 64 * MB,
      checkedAt: 5,
    });
    expect(assessDisk('/data', sample(900), settings, null)).toMatchObject({
      state: 'low',
      message: expect.stringMatching(/^Disk space low: 900 MB free for \/data \(warning below 1024 MB/),
    });
    expect(assessDisk('/data', sample(63), settings, null)).toMatchObject({
      state: 'refusing',
      message: expect.stringMatching(/^Disk nearly full: 63 MB free for \/data, below the 64 MB kept for check-ins and the quorum: new licenses are refused/),
    });
  });

  it('counts the free pages inside the database as room: new rows reuse them', () => {
    expect(writableBytes(sample(10, 60))).toBe(70 * MB);
    expect(assessDisk('/data', sample(10, 50), settings, null).state).toBe('refusing');
    expect(assessDisk('/data', sample(10, 60), settings, null).state).toBe('low');
    expect(assessDisk('/data', sample(10, 2000), settings, null).state).toBe('ok');
  });

  it('0 turns a threshold off', () => {
    expect(assessDisk('/data', sample(1), { warnBelowMegabytes: 0, refuseGrantsBelowMegabytes: 0 }, null).state).toBe('ok');
    expect(assessDisk('/data', sample(1), { warnBelowMegabytes: 10, refuseGrantsBelowMegabytes: 0 }, null).state).toBe('low');
  });

  it('is full after a write failed for want of space, whatever the numbers say, until a check finds room', () => {
    const full = assessDisk('/data', sample(5000), settings, 'database or disk is full');
    expect(full).toMatchObject({
      state: 'full',
      message: expect.stringContaining('(database or disk is full; 5000 MB free for /data): new licenses are refused'),
    });
    expect(recoveredFromFull(sample(1), settings)).toBe(false);
    expect(recoveredFromFull(sample(64), settings)).toBe(true);
    expect(recoveredFromFull({ ...sample(0), freeBytes: FULL_RECOVERY_BYTES - 1 }, { warnBelowMegabytes: 0, refuseGrantsBelowMegabytes: 0 })).toBe(false);
    expect(recoveredFromFull({ ...sample(0), freeBytes: FULL_RECOVERY_BYTES }, { warnBelowMegabytes: 0, refuseGrantsBelowMegabytes: 0 })).toBe(true);
  });

  it('denies new licenses only while refusing or full, in FlexLM form with a code log parsers key on', () => {
    expect(diskDenial(null)).toBeNull();
    expect(diskDenial(assessDisk('/data', sample(900), settings, null))).toBeNull();
    const refusing = diskDenial(assessDisk('/data', sample(20), settings, null))!;
    expect(refusing).toMatchObject({ code: 'DISK_FULL', major: -23, minor: 913 });
    expect(refusing.reason).toBe(
      "License server temporarily busy; no new licenses: the server's disk is nearly full (20 MB free, below the 64 MB it keeps for check-ins); " +
        'seats already out keep working; try another server, or ask the administrator to free disk space. (-23,913)',
    );
    expect(diskDenial(assessDisk('/data', sample(0), settings, 'SQLITE_FULL'))!.reason).toContain(
      "the server's disk is full, so a grant cannot be recorded durably",
    );
  });

  it('knows a full disk when SQLite or the file system reports one', () => {
    expect(isOutOfSpace(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('disk quota exceeded'), { code: 'EDQUOT' }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBe(false);
    expect(isOutOfSpace('disk is full')).toBe(false);
  });
});
