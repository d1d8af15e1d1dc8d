import type { AdminCommand, ServerMessage } from '../../protocol';
import { sameSecret } from '../../store/secrets';
import { isThisMachine } from '../../transport/thisMachine';
import type { Clock } from '../runtime';
import type { AdminLockout } from './adminLockout';
import type { AuditRow } from './licensing';
import type { Session } from './listener';

export interface AdminAuthDeps {
  clock: Clock;
  adminToken: string;
  /** Failed admin authentications per address; a locked-out address is refused untried. */
  adminLockout: AdminLockout;
  /** Admin commands from other machines (DESIGN.md section 4: off until the admin turns it on). */
  allowRemoteAdmin: boolean;
  debug: (daemon: string, message: string) => void;
  audit: (row: AuditRow) => void;
}

/**
 * Who may send an admin command over the license port: a tool on this machine (or another, when
 * remote administration is on) with the server's admin token. Refusals are logged, audited and
 * counted towards a lockout of their address.
 */
export class AdminAuth {
  constructor(private readonly deps: AdminAuthDeps) {}

  /** The reply refusing `command`, or null when it may be carried out. */
  refusal(command: AdminCommand, session: Session): ServerMessage | null {
    const now = this.deps.clock.wallMs();
    const remote = !isThisMachine(session.remoteIp);
    if (remote && !this.deps.allowRemoteAdmin) {
      this.refused(command, session, now, 'remote administration is off');
      return {
        type: 'refused',
        id: command.id,
        code: 'REMOTE_ADMIN',
        reason: `${command.type} from another machine is refused: remote administration is off. Run it on the server machine, or start the server ` +
          `with --allow-remote-admin.`,
      };
    }
    // the right token always gets in: it is 256 random bits, so the lockout is not what stops
    // guessing; it keeps a flood of bad requests out of the log and the audit table, and must
    // not let anyone lock the administrator out
    if (command.token !== undefined && sameSecret(command.token, this.deps.adminToken)) {
      this.deps.adminLockout.recordSuccess(session.remoteIp);
      return null;
    }
    const why = command.token ? 'wrong admin token' : 'no admin token';
    const lockedUntil = this.refused(command, session, now, why);
    if (lockedUntil !== null) {
      const wait = Math.ceil((lockedUntil - this.deps.clock.monoMs()) / 1000);
      return {
        type: 'refused',
        id: command.id,
        code: 'LOCKED_OUT',
        reason: `${command.type} refused: too many failed admin authentications from ${session.remoteIp}; try again in ${wait} s.`,
      };
    }
    return {
      type: 'refused',
      id: command.id,
      code: 'ADMIN_TOKEN',
      reason: `${command.type} needs the server's admin token (${why}). Run it on the server machine, or pass --data with the server's data folder, ` +
        `or set TRIAD_ADMIN_TOKEN.`,
    };
  }

  /**
   * An admin request that is not allowed: logged, audited and counted towards a lockout of its
   * address. While the address is locked out nothing is written (a flood costs no disk); returns
   * the end of that lockout, or null when the address was not locked out yet.
   */
  private refused(command: AdminCommand, session: Session, now: number, why: string): number | null {
    // the lockout counts durations: on the monotonic clock
    const mono = this.deps.clock.monoMs();
    const lockedUntil = this.deps.adminLockout.lockedUntil(session.remoteIp, mono);
    if (lockedUntil !== null) return lockedUntil;
    const who = session.agent ?? 'unknown';
    this.deps.debug('lmgrd', `${command.type} request from ${session.remoteAddress} refused: ${why}`);
    this.deps.audit({
      timeMs: now,
      who,
      fromAddress: session.remoteAddress,
      action: `${command.type} refused`,
      detail: `${why} ${adminDetail(command)}`.trim(),
    });
    const lockout = this.deps.adminLockout.recordFailure(session.remoteIp, mono);
    if (lockout !== null) {
      const { maxFailures, windowMs } = this.deps.adminLockout.policy;
      const what = `${maxFailures} refused admin requests within ${windowMs / 1000} s; admin requests refused for ${Math.round((lockout - mono) / 1000)} s`;
      this.deps.debug('lmgrd', `Admin lockout of ${session.remoteIp}: ${what}`);
      this.deps.audit({ timeMs: now, who, fromAddress: session.remoteAddress, action: 'admin lockout', detail: what });
    }
    return null;
  }
}

/** What the audit table records about an admin command besides its name. */
export function adminDetail(command: AdminCommand): string {
  if (command.type === 'lmswitch') return `${command.log} log`;
  if (command.type !== 'lmremove') return '';
  return command.handle !== undefined
    ? `"${command.feature}" handle ${command.handle}`
    : `"${command.feature}" ${command.user} ${command.host} ${command.display}`;
}
