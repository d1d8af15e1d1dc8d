/**
 * The headless host: `node dist/host.mjs [--listen HOST:PORT] [--data DIR]` runs the license
 * server and serves the admin UI and its API on http://127.0.0.1:8090/ (lmadmin's port).
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../core/store/dataDir';
import { openAdminApp } from './adminApp';
import { isLoopback, startHttpHost } from './httpHost';
import { parseListen } from './listenAddress';

const here = dirname(fileURLToPath(import.meta.url));

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

const program = new Command('triad-host')
  .description('Triad license server with its admin UI in the browser')
  .option('--listen <host:port>', 'where the admin UI answers', '127.0.0.1:8090')
  .option('--data <dir>', 'data folder (database, license, keys)', defaultDataDir())
  .option('--renderer <dir>', 'built admin UI folder', join(here, '../out/renderer'))
  .option('--as <host>', 'which SERVER line is this machine')
  .option('--hostid <id>', "this machine's host id, instead of the detected one")
  .option('--port <n>', 'license server TCP port (default: the SERVER line port)', wholeNumber(0, 65535))
  .option('--bind <address>', 'address the license server listens on')
  .option('--demo-host <host>', 'SERVER-line host for a first-run demo license (default: this host name)')
  .option('--allow-remote-admin', 'let other machines reach the admin UI (signed in with the admin token; plain HTTP: trusted networks only)')
  .option('--client-heartbeat <ms>', 'client heartbeat interval; a seat is reclaimed after three missed ones', wholeNumber(50, 3_600_000))
  .showHelpAfterError()
  .parse();

const opts = program.opts<{
  listen: string;
  data: string;
  renderer: string;
  as?: string;
  hostid?: string;
  port?: number;
  bind?: string;
  demoHost?: string;
  clientHeartbeat?: number;
  allowRemoteAdmin?: boolean;
}>();

const listen = parseListen(opts.listen);
if (!listen.ok) {
  process.stderr.write(`triad-host: --listen ${opts.listen}: ${listen.error}\n`);
  process.exit(2);
}
// The admin UI can stop the server and replace its license: remote admin is off until asked for.
if (!isLoopback(listen.host) && !opts.allowRemoteAdmin) {
  process.stderr.write(
    `triad-host: --listen ${opts.listen} would let other machines reach the admin UI, over plain HTTP that carries the admin token. ` +
      'Keep 127.0.0.1 and reach it through an SSH tunnel, or add --allow-remote-admin on a trusted network.\n',
  );
  process.exit(2);
}

try {
  const app = await openAdminApp({
    dataDir: opts.data,
    as: opts.as,
    hostid: opts.hostid,
    port: opts.port,
    bind: opts.bind,
    demoServerHost: opts.demoHost,
    clientHeartbeatIntervalMs: opts.clientHeartbeat,
  });
  const rendererDir = existsSync(join(opts.renderer, 'index.html')) ? opts.renderer : null;
  const host = await startHttpHost({
    api: app.api,
    metrics: app.metrics,
    adminToken: app.adminToken,
    adminTokenFile: app.adminTokenFile,
    rendererDir,
    host: listen.host,
    port: listen.port,
  }).catch(async (error: NodeJS.ErrnoException) => {
    await app.close();
    const why = error.code === 'EADDRINUSE' ? 'the port is in use (another Triad or lmadmin?); pass --listen 127.0.0.1:PORT' : error.message;
    throw new Error(`cannot listen on ${opts.listen}: ${why}`);
  });
  const status = app.status();
  const server =
    status.role === 'stopped' ? `license server stopped${status.warnings[0] ? `: ${status.warnings[0]}` : ''}` : `license server ${status.port}@${status.host}`;
  const demo = app.demo.created ? '; demo license created' : '';
  const ui = rendererDir ? '' : ' (API only: the admin UI is not built, run `npm run build`)';
  process.stdout.write(`Triad admin UI on ${host.url}${ui} (${server}${demo})\n`);
  process.stdout.write(`Sign in: ${host.signInUrl}\n  (or paste the admin token from ${app.adminTokenFile} at ${host.url}login)\n`);

  const shutdown = async () => {
    await host.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
} catch (error) {
  process.stderr.write(`triad-host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
