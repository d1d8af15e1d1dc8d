import type { LicenseImportResult } from '../../src/shared/contract';
import type { TestLicense } from '../../test/support/signedLicense';
import { MEMBERS, type ChaosCluster, type Member } from './cluster';

/**
 * Run-time license imports for the chaos nemesis, the way an administrator makes them: on the
 * master's License files screen (its admin API, `license.import` with `distribute`), which
 * switches all three members. Keeps the seat counts in force for the checker: from the moment
 * an import is asked for, the larger of the old and the new count is allowed; once the master
 * answers, the new count (or the old one, if it refused); when the answer never comes, the larger
 * stays (the switch may still commit).
 */

export type ServerSetChange = 'reorder' | 'port' | 'replaceTertiary' | 'single';

export const SERVER_SET_CHANGES: readonly ServerSetChange[] = ['reorder', 'port', 'replaceTertiary', 'single'];

export interface ImportOutcome {
  description: string;
  /** Set when the triad did something issue 14 forbids. */
  violation?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RuntimeImports {
  /** Counts in force after the initial one, oldest first (ChaosRecords.countChanges). */
  readonly countChanges: { fromMs: number; count: number }[] = [];
  private current: TestLicense;

  constructor(private readonly cluster: ChaosCluster) {
    this.current = cluster.initialLicense;
  }

  get seats(): number {
    return this.count(this.current);
  }

  private count(license: TestLicense): number {
    const count = license.features[0].count;
    return count === 'uncounted' ? Infinity : count;
  }

  private withCount(count: number): TestLicense {
    return { ...this.current, features: this.current.features.map((f, i) => (i === 0 ? { ...f, count } : f)) };
  }

  private import(master: Member, license: TestLicense, fileName: string): Promise<LicenseImportResult> {
    return this.cluster.admin<LicenseImportResult>(master, 'license.import', { fileName, text: this.cluster.license.signedText(license), distribute: true });
  }

  /** Imports the current license with another count for the first feature, distributed to all three. */
  async changeCount(master: Member, count: number): Promise<ImportOutcome> {
    const before = this.seats;
    const next = this.withCount(count);
    this.countChanges.push({ fromMs: Date.now(), count: Math.max(before, count) });
    const what = `import on ${MEMBERS[master]}: ${before} -> ${count} seats`;
    try {
      const result = await this.import(master, next, `seats-${count}.lic`);
      if (!result.imported || !result.distributed) {
        this.countChanges.push({ fromMs: Date.now(), count: before });
        return { description: `${what}: not imported (${result.report.errors[0]?.message ?? 'not distributed'})` };
      }
      this.countChanges.push({ fromMs: Date.now(), count });
      this.current = next;
      return { description: `${what}: distributed` };
    } catch (error) {
      // refused, or no answer: the switch may or may not commit, so the larger count stays allowed
      if (Math.max(before, count) !== before) this.current = this.withCount(Math.max(before, count));
      return { description: `${what}: ${errorText(error).slice(0, 200)}` };
    }
  }

  /**
   * Imports a license whose SERVER lines differ from the running triad's. Issue 14: such a file is
   * refused with a message saying how to migrate (it never makes a second master; the checker
   * watches for that). Accepting it is a violation; the original lines are then imported again.
   */
  async changeServers(master: Member, change: ServerSetChange): Promise<ImportOutcome> {
    const servers = this.current.servers;
    const changed: TestLicense['servers'] = {
      reorder: [servers[1], servers[0], servers[2]],
      port: [servers[0], servers[1], { ...servers[2], port: (servers[2].port ?? 27000) + 1 }],
      replaceTertiary: [servers[0], servers[1], { ...servers[2], host: '127.0.1.9' }],
      single: [servers[master]],
    }[change];
    const what = `import on ${MEMBERS[master]} of a license with the SERVER lines changed (${change})`;
    let result: LicenseImportResult;
    try {
      result = await this.import(master, { ...this.current, servers: changed }, `servers-${change}.lic`);
    } catch (error) {
      return { description: `${what}: refused: ${errorText(error).slice(0, 300)}` };
    }
    if (!result.imported) return { description: `${what}: refused by the checks: ${result.report.errors[0]?.message ?? '?'}` };
    let undo: string;
    try {
      const back = await this.import(master, this.current, 'servers-restored.lic');
      undo = back.imported && back.distributed ? 'the original lines were imported again' : 'the original lines could not be imported again';
    } catch (error) {
      undo = `the original lines could not be imported again: ${errorText(error).slice(0, 200)}`;
    }
    return {
      description: `${what}: ACCEPTED (${result.distributed ? 'distributed' : 'this member only'}); ${undo}`,
      violation: `${what} was accepted; a license that changes the SERVER lines of a running triad must be refused with how to migrate`,
    };
  }
}
