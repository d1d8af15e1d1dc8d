import { createContext, useContext, useEffect, type ReactNode } from 'react';
import type { ServerStatus } from '../../shared/status';
import { useEvent, useQuery } from './useTransport';

type StatusQuery = ReturnType<typeof useQuery<'status.get'>>;

const StatusContext = createContext<StatusQuery | null>(null);

/**
 * One live status for the whole app: asked once, then kept current by status events. The
 * screens read it from here, and the window title names this server and its role.
 */
export function StatusProvider({ children }: { children: ReactNode }) {
  const status = useQuery('status.get', {});
  useEvent('status', status.set);
  useEffect(() => {
    document.title = status.value ? windowTitle(status.value) : 'Triad License Server';
  }, [status.value]);
  return <StatusContext.Provider value={status}>{children}</StatusContext.Provider>;
}

export function useServerStatus(): StatusQuery {
  const status = useContext(StatusContext);
  if (!status) throw new Error('useServerStatus outside StatusProvider');
  return status;
}

/** `MASTER — lic1.corp`: three tabs on three members tell each other apart. */
export function windowTitle(status: ServerStatus): string {
  const role = { master: 'MASTER', standby: 'STANDBY', 'no-quorum': 'NO QUORUM', stopped: 'STOPPED' }[status.role];
  return `${role} — ${status.host}`;
}
