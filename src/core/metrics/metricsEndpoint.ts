import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenHttp } from '../transport/httpListener';
import { formatOpenMetrics, formatPrometheusText, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE, type MetricFamily } from './openMetrics';

/**
 * `triad serve --metrics ADDR`: a small HTTP listener that answers GET /metrics and nothing
 * else, for servers without the admin UI. Read-only, so it needs no token; bind it to an
 * address only the monitoring system reaches.
 */

export interface MetricsEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * The one /metrics response, shared with the admin UI's host: OpenMetrics when the scraper asks
 * for it (Prometheus 2.5 and later do), else the Prometheus text format, which older scrapers
 * and curl read (an OpenMetrics page fails their parser at its first info family).
 */
export function sendMetrics(req: IncomingMessage, res: ServerResponse, families: readonly MetricFamily[]): void {
  const openMetrics = /application\/openmetrics-text/i.test(req.headers.accept ?? '');
  const exposition = openMetrics ? formatOpenMetrics(families) : formatPrometheusText(families);
  res.writeHead(200, {
    'content-type': openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_TEXT_CONTENT_TYPE,
    'content-length': Buffer.byteLength(exposition),
    'cache-control': 'no-store',
    vary: 'Accept',
  });
  res.end(req.method === 'HEAD' ? undefined : exposition);
}

export async function startMetricsEndpoint(options: { host: string; port: number; render: () => readonly MetricFamily[] }): Promise<MetricsEndpoint> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Only /metrics is served here.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    sendMetrics(req, res, options.render());
  });
  // scrapers keep connections open; they must not hold the process up at shutdown
  server.keepAliveTimeout = 5_000;
  const url = await listenHttp(server, options.host, options.port);
  return {
    url: `${url}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
