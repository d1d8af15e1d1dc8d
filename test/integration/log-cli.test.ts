import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkout } from '../../src/core/client/checkout';
import { openStore } from '../../src/core/store';
import { makeTempDir } from '../support/tempDir';
import { startTestServer, type TestServer } from '../support/testServer';
import { spawnTriad } from '../support/triadProcess';

/** `triad serve` retention flags, `triad log`, `triad lmswitch` / `lmswitchr` as a person runs them. */

async function run(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = await spawnTriad(args);
  const code = await child.exited;
  return { code, stdout: child.stdout.join('\n'), stderr: child.stderr.join('\n') };
}

describe('log retention on the command line', () => {
  const temp = makeTempDir();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(temp.dir, { features: [{ name: 'Switched', count: 3 }] }, [
      '--report-log-mb',
      '5',
      '--debug-log-days',
      '7',
      '--archive-dir',
      'old-logs',
    ]);
  });
  afterAll(async () => {
    await server?.stop();
    temp.remove();
  });

  it('triad serve stores the retention flags and says at start how long the logs are kept', async () => {
    const oldLogs = path.join(server.dataDir, 'old-logs');
    expect(readFileSync(path.join(temp.dir, 'debug.log'), 'utf8')).toContain(
      `(lmgrd) Log retention: debug log 7 days / 1024 MB, report log 90 days / 5 MB; rotated rows archived in ${oldLogs} (up to 2048 MB); ` +
        'disk warning below 1024 MB free, new licenses refused below 64 MB',
    );
    const shown = await run(['log', '--data', server.dataDir, '--json']);
    expect(shown.code).toBe(0);
    const overview = JSON.parse(shown.stdout);
    expect(overview.settings.debugLog).toEqual({ maxAgeDays: 7, maxMegabytes: 1024 });
    expect(overview.settings.reportLog).toEqual({ maxAgeDays: 90, maxMegabytes: 5 });
    expect(overview.archiveFolder).toBe(oldLogs);
    expect(overview.debugLog.rows).toBeGreaterThan(3);
  });

  it('triad lmswitch rotates the debug log into a FlexLM-text archive and names the file', async () => {
    const result = await run(['lmswitch', '-c', server.spec, '--data', server.dataDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const match =
      /^lmswitch successful \(\d+@127\.0\.0\.1\): debug log switched: (\d+) rows \(.* to .*\) written to (\S+debug-log_\d{8}-\d{6}_\d{8}-\d{6}\.log\.gz)$/.exec(
        result.stdout.trim(),
      );
    expect(match).not.toBeNull();
    const text = gunzipSync(readFileSync(match![2]!)).toString('utf8');
    expect(text).toContain('(lmgrd) Starting vendor daemons ...');
    expect(
      text
        .trimEnd()
        .split('\n')
        .filter((line) => !line.includes('TIMESTAMP')),
    ).toHaveLength(Number(match![1]));
  });

  it('triad lmswitchr says when the report log has nothing to rotate, and rotates it into CSV once it has', async () => {
    const empty = await run(['lmswitchr', '-c', server.spec, '--data', server.dataDir]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/refused: The report log has nothing new to rotate since the last archive\.$/);
    const seat = await checkout([server.address], { feature: 'Switched', version: '1.0', count: 1, user: 'alice', host: 'ws1', display: ':0' });
    if (seat.kind !== 'granted') throw new Error(`no seat: ${JSON.stringify(seat)}`);
    await seat.license.checkin();
    const result = await run(['lmswitchr', '-c', server.spec, '--data', server.dataDir]);
    expect(result.code).toBe(0);
    const file = /written to (\S+\.csv\.gz)$/.exec(result.stdout.trim())![1]!;
    const rows = gunzipSync(readFileSync(file)).toString('utf8').split('\r\n');
    expect(rows[0]).toBe('time,event,feature,version,user,host,display,lease_id,count,server,reason');
    expect(rows.slice(1, 3).map((row) => row.split(',').slice(1, 5))).toEqual([
      ['OUT', 'Switched', '1.0', 'alice'],
      ['IN', 'Switched', '1.0', 'alice'],
    ]);
  });

  it('triad log changes a setting of a running server, and names the flag when a value is wrong', async () => {
    const changed = await run(['log', '--data', server.dataDir, '--debug-log-days', '30', '--no-archive']);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(/^Saved\. A running server applies it within 10 s\.\nDebug log: {2}\d+ rows, about/);
    expect(changed.stdout).toContain('Retention:  debug log 30 days / 1024 MB, report log 90 days / 5 MB; rotated rows dropped (archives off)');
    const wrong = await run(['log', '--data', server.dataDir, '--disk-warn-mb', '10']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'triad: log: --disk-warn-mb: The warning threshold must not be below the threshold at which new licenses are refused (the warning comes first).',
    );
    const notANumber = await run(['log', '--data', server.dataDir, '--report-log-days', 'soon']);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain("option '--report-log-days <n>' argument 'soon' is invalid. expected a whole number, 0 or more (0: no limit)");
    // the audit table says who changed what
    const store = openStore(server.dataDir);
    try {
      expect(store.audit.recent(10).find((entry) => entry.action === 'log retention')).toMatchObject({
        who: 'triad log',
        fromAddress: 'local',
        detail: expect.stringContaining('debug log 30 days'),
      });
    } finally {
      store.close();
    }
  });

  it('triad serve refuses retention flags that contradict each other, saying how to fix them', async () => {
    const dir = path.join(temp.dir, 'second');
    const failed = await run(['serve', '-c', server.license.licensePath, '--data', dir, '--port', '0', '--disk-warn-mb', '5', '--disk-reserve-mb', '50']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^triad: log retention: disk\.warnBelowMegabytes: The warning threshold must not be below .*Change the flags, or see the stored settings with `triad log --data /,
    );
  });
});
