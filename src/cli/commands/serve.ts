import { InvalidArgumentError } from 'commander';
import type { CommandModule } from '../program';
import { CliError } from '../cliError';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { BackendError, createBackend, type ServerTls, DEFAULT_CLIENT_HEARTBEAT_MS } from '../../core/backend';
import { createTriad } from '../../core/server/triad/createTriad';
import { defaultDataDir } from '../../core/store/dataDir';
import { StoreError } from '../../core/store';
import { startMetricsEndpoint, type MetricsEndpoint } from '../../core/metrics';
import { parseListen } from '../../host/listenAddress';
import { addRetentionOptions, retentionPatchFrom, type RetentionFlags } from '../retentionFlags';

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

interface ServeOptions extends RetentionFlags {
  c: string;
  data?: string;
  as?: string;
  hostid?: string;
  port?: number;
  bind?: string;
  trust?: string[];
  l?: string;
  clientHeartbeat: number;
  s: number;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  helloTimeout?: number;
  allowRemoteAdmin?: boolean;
  metrics?: { host: string; port: number };
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

/** --tls-cert/--tls-key/--tls-ca read into PEM texts; both cert and key, or neither. */
function serverTls(opts: ServeOptions): ServerTls | undefined {
  if (opts.tlsCert === undefined && opts.tlsKey === undefined) {
    if (opts.tlsCa !== undefined) throw new CliError('--tls-ca needs --tls-cert and --tls-key: it verifies the other members when this one speaks TLS', 2);
    return undefined;
  }
  if (opts.tlsCert === undefined || opts.tlsKey === undefined)
    throw new CliError('give both --tls-cert and --tls-key (the certificate and its private key, PEM)', 2);
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliError(`${flag} ${file}: cannot read it (${error instanceof Error ? error.message : String(error)})`, 2);
    }
  };
  const cert = read('--tls-cert', opts.tlsCert);
  const key = read('--tls-key', opts.tlsKey);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CliError(`--tls-cert/--tls-key: not a usable certificate and key pair (${error instanceof Error ? error.message : String(error)})`, 2);
  }
  return { cert, key, ...(opts.tlsCa !== undefined ? { ca: read('--tls-ca', opts.tlsCa) } : {}) };
}

export const serveCommand: CommandModule = (program) => {
  const serve = program
    .command('serve')
    .description('Run the license server until Ctrl-C, SIGTERM or lmdown')
    .requiredOption('-c <license>', 'license file to serve')
    .option('--data <dir>', 'data folder (database, admin.token); default: per-user app data folder, e.g. ~/.local/share/triad')
    .option('--as <host>', 'which SERVER line is this machine (default: the line naming this host)')
    .option('--hostid <id>', "this machine's host id, instead of the detected one (tests on one machine)")
    .option('--port <n>', 'TCP port; 0 lets the system pick one (default: the SERVER line port, else the first free of 27000-27009)', wholeNumber(0, 65535))
    .option('--bind <address>', 'address to listen on (default: the SERVER line host when it is an IP address, else all)')
    .option('--trust <pubfile>', 'trusted publisher public key (repeatable)', (value: string, list: string[] | undefined) => [...(list ?? []), value])
    .option('-l <logfile>', 'also write the debug log to this text file')
    .option('-s <minutes>', 'write a TIMESTAMP line to the debug log this often, like lmgrd -s', wholeNumber(1, 525_600), 360)
    .option(
      '--client-heartbeat <ms>',
      'client heartbeat interval; a seat is reclaimed after three missed ones',
      wholeNumber(50, 3_600_000),
      DEFAULT_CLIENT_HEARTBEAT_MS,
    )
    .option('--max-connections <n>', 'connections accepted at once (default 2000)', wholeNumber(1, 1_000_000))
    .option('--max-connections-per-address <n>', 'connections accepted at once from one address (default 256)', wholeNumber(1, 1_000_000))
    .option('--allow-remote-admin', 'accept lmdown/lmreread/lmremove (with the admin token) from other machines')
    .option('--tls-cert <file>', 'serve TLS on the license port with this certificate (PEM); clients then need --tls-fingerprint or --tls-ca')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--tls-ca <file>', "CA that signed the other triad members' certificates (verifies them when dialling)")
    .option('--hello-timeout <ms>', 'close connections that do not say hello within this time', wholeNumber(10, 600_000))
    .option('--metrics <host:port>', 'serve OpenMetrics (Prometheus) at http://HOST:PORT/metrics, e.g. 127.0.0.1:9090', (value: string) => {
      const listen = parseListen(value);
      if (!listen.ok) throw new InvalidArgumentError(listen.error);
      return { host: listen.host, port: listen.port };
    })
    .action(async (opts: ServeOptions) => {
      let backend;
      try {
        backend = await createBackend({
          triad: createTriad,
          licensePath: opts.c,
          dataDir: opts.data ?? defaultDataDir(),
          as: opts.as,
          hostid: opts.hostid,
          port: opts.port,
          bind: opts.bind,
          trustFiles: opts.trust ?? [],
          logFile: opts.l ?? null,
          clientHeartbeatIntervalMs: opts.clientHeartbeat,
          timestampIntervalMs: opts.s * 60_000,
          allowRemoteAdmin: opts.allowRemoteAdmin ?? false,
          tls: serverTls(opts),
          notice: (text) => process.stdout.write(`${text}\n`),
          retention: retentionPatchFrom(opts),
          limits: {
            ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
            ...(opts.maxConnectionsPerAddress !== undefined ? { maxConnectionsPerAddress: opts.maxConnectionsPerAddress } : {}),
            ...(opts.helloTimeout !== undefined ? { helloTimeoutMs: opts.helloTimeout } : {}),
          },
        });
      } catch (error) {
        if (error instanceof BackendError || error instanceof StoreError) throw new CliError(error.message, 1);
        throw error;
      }
      let metrics: MetricsEndpoint | null = null;
      if (opts.metrics) {
        const running = backend;
        try {
          metrics = await startMetricsEndpoint({ ...opts.metrics, render: () => running.metrics() });
        } catch (error) {
          await backend.stop('the metrics address cannot be used');
          const why = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : error instanceof Error ? error.message : String(error);
          throw new CliError(`--metrics ${opts.metrics.host}:${opts.metrics.port}: cannot listen (${why}); choose another address`, 1);
        }
      }
      const onSignal = (signal: NodeJS.Signals) => void backend.stop(`received ${signal}`);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const { host, port } = backend.address;
      process.stdout.write(`Triad license server ready on ${port}@${host} (vendors: ${backend.vendors.join(', ') || 'none'})\n`);
      if (metrics) process.stdout.write(`Metrics on ${metrics.url}\n`);
      await backend.stopped;
      await metrics?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
  addRetentionOptions(serve);
};
