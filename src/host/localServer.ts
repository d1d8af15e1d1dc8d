import { ApiError, type ServerControl } from '../core/adminApi';
import { BackendError, createBackend, type AdminCaller, type Backend, type BackendOptions } from '../core/backend';
import { createTriad } from '../core/server/triad/createTriad';
import type { DebugLogEntry } from '../core/store';
import type { ServerStatus } from '../shared/status';
import { collectServerMetrics, sampleProcess, type MetricFamily } from '../core/metrics';
import { stoppedStatus } from '../core/server/licensing/stoppedStatus';

/**
 * The license server as the admin app runs it: started and stopped on request (the app and its
 * store outlive it), with its events forwarded. While stopped, status() says so, with the reason.
 */
export function createLocalServer(
  options: BackendOptions,
  /** Seats in the lease table while stopped (the app's own store connection reads them). */
  heldSeats: () => number = () => 0,
): ServerControl & { metrics(): MetricFamily[]; close(): Promise<void> } {
  let backend: Backend | null = null;
  let starting: Promise<void> | null = null;
  let problem: string | null = null;
  const statusListeners = new Set<(status: ServerStatus) => void>();
  const logListeners = new Set<(line: DebugLogEntry) => void>();

  const stopped = (): ServerStatus =>
    stoppedStatus({
      licensePath: options.licensePath,
      identity: { as: options.as, hostid: options.hostid },
      port: options.port,
      problem,
      heldSeats: heldSeats(),
      nowMs: Date.now(),
    });
  const status = () => backend?.status() ?? stopped();
  const announce = () => {
    const snapshot = status();
    for (const listener of statusListeners) listener(snapshot);
  };

  const start = async () => {
    if (backend) return;
    starting ??= (async () => {
      try {
        const started = await createBackend({ triad: createTriad, ...options });
        backend = started;
        problem = null;
        started.events.on('status', (s) => statusListeners.forEach((l) => l(s)));
        started.events.on('log', (line) => logListeners.forEach((l) => l(line)));
        started.events.once('stopped', (reason) => {
          if (backend === started) backend = null;
          problem = `The license server stopped: ${reason}.`;
          announce();
        });
        announce();
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
        announce();
        if (error instanceof BackendError) throw new ApiError('not-running', `The license server cannot start: ${problem}`);
        throw error;
      } finally {
        starting = null;
      }
    })();
    return starting;
  };

  const running = (): Backend => {
    if (!backend) throw new ApiError('not-running', 'The license server is stopped. Start it on the Server status screen.');
    return backend;
  };

  const admin = async (command: Parameters<Backend['admin']>[0], caller: AdminCaller) => {
    const reply = await running().admin(command, caller);
    if (!reply.ok) throw new ApiError(command.type === 'lmremove' ? 'not-found' : 'bad-request', reply.message);
    return reply.message;
  };

  /** While stopped, /metrics still answers: up 0, role stopped, process numbers. */
  const metrics = (): MetricFamily[] =>
    backend?.metrics() ??
    collectServerMetrics({
      status: stopped(),
      counters: null,
      connections: 0,
      connectionProblems: new Map(),
      adminAuth: { failures: 0, lockouts: 0 },
      process: sampleProcess(),
    });

  return {
    status,
    metrics,
    start,
    async stop() {
      await backend?.stop('stopped from the admin app');
    },
    async lmdown(caller) {
      const stopping = running().stopped;
      // the screen showed the seats at risk and the administrator confirmed
      await admin({ type: 'lmdown', force: true }, caller);
      await stopping;
    },
    async reread(caller) {
      const current = running();
      let change: string | null;
      try {
        change = current.serverChangeOnDisk();
      } catch (error) {
        throw new ApiError('invalid-license', error instanceof Error ? error.message : String(error));
      }
      if (change === null) {
        await admin({ type: 'lmreread' }, caller);
        return;
      }
      // another set of servers: stop serving, then start afresh (a triad forms, or a single
      // server starts), rather than serve the new file with the old mode's machinery
      await current.stop(`restarting: ${change}`);
      await start();
    },
    async distributeLicense(files, label) {
      try {
        await running().distributeLicense(files, label);
      } catch (error) {
        if (error instanceof BackendError) throw new ApiError('invalid-license', error.message);
        throw error;
      }
    },
    async masterLog(query) {
      try {
        return await running().masterLog(query);
      } catch (error) {
        if (error instanceof BackendError) throw new ApiError('not-running', error.message);
        throw error;
      }
    },
    async removeUser(who, caller) {
      await admin({ type: 'lmremove', ...who }, caller);
    },
    logs: () => backend?.logs() ?? null,
    rotateLog: (log, caller) => admin({ type: 'lmswitch', log }, caller),
    retentionChanged: () => backend?.retentionChanged(),
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onLog(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    async close() {
      await starting?.catch(() => undefined);
      await backend?.stop('the admin app is quitting');
    },
  };
}
