import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { checkout } from '../../src/core/client/checkout';
import { OPENMETRICS_CONTENT_TYPE } from '../../src/core/metrics';
import { openAdminApp } from '../../src/host/adminApp';
import { startHttpHost } from '../../src/host/httpHost';
import { parseOpenMetrics, sampleValue, type ParsedFamily } from '../support/openMetricsParser';
import { makeTempDir } from '../support/tempDir';
import { startTestServer } from '../support/testServer';
import { freePort } from '../support/freePort';

/** /metrics over real HTTP: `triad serve --metrics ADDR` and the headless host's admin port. */

/** As Prometheus asks: OpenMetrics first, the text format as a fallback. */
const PROMETHEUS_ACCEPT = [
  'application/openmetrics-text;version=1.0.0',
  'application/openmetrics-text;version=0.0.1;q=0.75',
  'text/plain;version=0.0.4;q=0.5',
  '*/*;q=0.1',
].join(',');

async function scrape(url: string): Promise<Map<string, ParsedFamily>> {
  const response = await fetch(url, { headers: { accept: PROMETHEUS_ACCEPT } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(OPENMETRICS_CONTENT_TYPE);
  return parseOpenMetrics(await response.text());
}

const request = (user: string) => ({ feature: 'Metered', version: '1.0', count: 1, user, host: 'ws', display: ':0' });

describe('metrics endpoints', () => {
  const temp = makeTempDir();
  afterAll(() => temp.remove());

  it('triad serve --metrics: the numbers move with checkouts, denials and checkins', async () => {
    const server = await startTestServer(path.join(temp.dir, 'serve'), { features: [{ name: 'Metered', count: 1 }] }, ['--metrics', '127.0.0.1:0']);
    try {
      const url = /Metrics on (\S+)/.exec(await server.triad.waitForLine(/Metrics on http/))![1]!;
      const before = await scrape(url);
      expect(sampleValue(before, 'triad_up')).toBe(1);
      expect(sampleValue(before, 'triad_role', { role: 'master' })).toBe(1);
      expect(sampleValue(before, 'triad_quorum')).toBe(1);
      expect(sampleValue(before, 'triad_seats_issued', { feature: 'Metered', vendor: 'ibmratl' })).toBe(1);
      expect(sampleValue(before, 'triad_seats_in_use', { feature: 'Metered' })).toBe(0);
      expect(sampleValue(before, 'triad_checkouts_total', { feature: 'Metered' })).toBe(0);
      expect(sampleValue(before, 'process_resident_memory_bytes')).toBeGreaterThan(0);

      const held = await checkout([server.address], request('alice'));
      expect(held.kind).toBe('granted');
      const refused = await checkout([server.address], request('bob'));
      expect(refused.kind).toBe('denied');
      // the event-loop delay is measured from one scrape to the next (10 ms resolution)
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = await scrape(url);
      expect(sampleValue(during, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
      expect(sampleValue(during, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(sampleValue(during, 'nodejs_eventloop_lag_p99_seconds')!);
      expect(sampleValue(during, 'triad_seats_in_use', { feature: 'Metered' })).toBe(1);
      expect(sampleValue(during, 'triad_checkouts_total', { feature: 'Metered' })).toBe(1);
      expect(sampleValue(during, 'triad_denials_total', { reason: 'MAX_USERS' })).toBe(1);
      expect(sampleValue(during, 'triad_connections')).toBeGreaterThanOrEqual(1);

      if (held.kind === 'granted') await held.license.checkin();
      const after = await scrape(url);
      expect(sampleValue(after, 'triad_seats_in_use', { feature: 'Metered' })).toBe(0);
      expect(sampleValue(after, 'triad_checkins_total', { feature: 'Metered' })).toBe(1);

      expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);

      // a scraper (or curl) that does not ask for OpenMetrics gets the Prometheus text format
      const plain = await fetch(url);
      expect(plain.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(plain.headers.get('vary')).toBe('Accept');
      const text = await plain.text();
      expect(text).toContain('# TYPE triad_checkouts_total counter');
      expect(text).toContain('# TYPE triad_build_info gauge');
      expect(text).toMatch(/^triad_checkins_total\{feature="Metered"\} 1$/m);
      expect(text).not.toContain('# EOF');
      expect(text).not.toContain('# UNIT');
    } finally {
      await server.stop();
    }
  });

  it('triad serve --metrics with an address in use fails with a clear message', async () => {
    const first = await startTestServer(path.join(temp.dir, 'busy1'), { features: [{ name: 'Metered', count: 1 }] }, ['--metrics', '127.0.0.1:0']);
    try {
      const port = /:(\d+)\/metrics/.exec(await first.triad.waitForLine(/Metrics on http/))![1]!;
      const second = startTestServer(path.join(temp.dir, 'busy2'), { features: [{ name: 'Metered', count: 1 }] }, ['--metrics', `127.0.0.1:${port}`]);
      await expect(second).rejects.toThrow(/--metrics 127\.0\.0\.1:\d+: cannot listen \(the port is in use\)/);
    } finally {
      await first.stop();
    }
  });

  it('the headless host answers GET /metrics on its admin port, also while the server is stopped', async () => {
    // the demo license writes the port into its SERVER line, so it must be a real one
    const app = await openAdminApp({ dataDir: path.join(temp.dir, 'host'), port: await freePort(), bind: '127.0.0.1', demoServerHost: '127.0.0.1' });
    const host = await startHttpHost({
      api: app.api,
      metrics: app.metrics,
      adminToken: app.adminToken,
      adminTokenFile: app.adminTokenFile,
      rendererDir: null,
      host: '127.0.0.1',
      port: 0,
    });
    try {
      // Prometheus scrapes without the admin token; the admin API next door needs it
      const running = await scrape(`${host.url}metrics`);
      expect((await fetch(`${host.url}api/status.get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
      expect(sampleValue(running, 'triad_up')).toBe(1);
      expect(running.get('triad_seats_issued')!.samples.length).toBeGreaterThan(0);
      const stopped = await app.api.invoke('server.stop', {});
      expect(stopped.ok).toBe(true);
      const afterStop = await scrape(`${host.url}metrics`);
      expect(sampleValue(afterStop, 'triad_up')).toBe(0);
      expect(sampleValue(afterStop, 'triad_role', { role: 'stopped' })).toBe(1);
    } finally {
      await host.close();
      await app.close();
    }
  });
});
