import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { namespaceSupport } from '../../bench/chaos/netns';
import { BUNDLE_CACHE_DIR, bundleInto } from '../support/cliBundle';
import { makeTempDir } from '../support/tempDir';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * Keeps `npm run bench` working: bundles the bench and the CLI side by side (as dist/ holds
 * them), runs every bench at tiny sizes (`--quick`) in a child process, and checks the figures
 * each one reports. The full sizes run with `npm run bench`.
 */
describe('npm run bench', () => {
  it('runs every bench (--quick) and writes the figures as JSON', async () => {
    const outDir = path.join(BUNDLE_CACHE_DIR, `bench-${process.pid}`);
    await bundleInto(outDir, { bench: path.join(repoRoot, 'bench/index.ts'), cli: path.join(repoRoot, 'src/cli/index.ts') });
    const temp = makeTempDir('triad-bench-test-');
    try {
      const out = path.join(temp.dir, 'latest.json');
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(outDir, 'bench.mjs'), '--quick', '--out', out], {
        cwd: repoRoot,
        timeout: 90_000,
      });
      expect(stdout).toMatch(/\| bench +\| figure +\| +value \|/);
      const { results } = JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, Record<string, number>> };
      const find = (part: string) => Object.entries(results).find(([name]) => name.includes(part))?.[1];

      const single = find('single server')!;
      for (const level of ['full', 'half', 'echoFull', 'echoAtHalfRate']) {
        expect(single[`${level}Failures`]).toBe(0);
        expect(single[`${level}PairsPerSecond`]).toBeGreaterThan(0);
        expect(single[`${level}P99Ms`]).toBeGreaterThanOrEqual(single[`${level}P50Ms`]);
        expect(single[`${level}ServerCpuUsPerPair`]).toBeGreaterThanOrEqual(0);
      }
      // the echo baseline for half-load latency runs at the rate our half-load run offered
      expect(single.echoAtHalfRatePairsPerSecond).toBeLessThan(single.echoFullPairsPerSecond * 0.8);
      // half load offers half the full-load rate: it must not come out near the full rate
      expect(single.halfPairsPerSecond).toBeLessThan(single.fullPairsPerSecond * 0.8);
      expect(single.throughputRatio).toBeCloseTo(single.fullPairsPerSecond / single.echoFullPairsPerSecond, 2);

      const triad = find('triad')!;
      expect(triad.fullFailures).toBe(0);
      expect(triad.fullPairsPerSecond).toBeGreaterThan(0);
      expect(triad.fullServerCpuUsPerPair).toBeGreaterThan(0);
      expect(triad.masterRssMB).toBeGreaterThan(0);

      const clients = find('connected clients')!;
      expect(clients.held).toBe(clients.clients);
      expect(clients.failed).toBe(0);
      expect(clients.rssPerClientKB).toBeGreaterThan(0);
      expect(clients.idleCpuPercent).toBeGreaterThanOrEqual(0);

      const failover = find('failover')!;
      expect(failover.seatsHeldBefore).toBe(failover.clients);
      expect(failover.timeToFirstGrantMs).toBeGreaterThan(0);
      expect(failover.clientsResumed).toBe(failover.clients);
      expect(failover.seatsLost).toBe(0);

      // the silent cut needs root for its namespace lab; elsewhere it says why and reports nothing
      const silent = find('silently cut')!;
      if (namespaceSupport() === null) {
        expect(silent.timeToFirstGrantMs).toBeGreaterThan(0);
        expect(silent.clientsResumed).toBe(silent.clients);
        expect(silent.seatsLost).toBe(0);
      } else expect(silent).toEqual({});
    } finally {
      temp.remove();
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
