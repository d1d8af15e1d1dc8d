import type { ServerStatus } from '../../../shared/status';

/** lmstat's words for this server's part: MASTER, standby, no quorum, stopped. */
export function roleLabel(status: ServerStatus): string {
  switch (status.role) {
    case 'master':
      return 'MASTER';
    case 'standby':
      return status.master ? `standby (master is ${status.master})` : 'standby';
    case 'no-quorum':
      return 'no quorum';
    case 'stopped':
      return 'stopped';
  }
}
