import type { LicenseIdentity } from '../../../src/core/quorum';
import type { ServingConfig } from '../../../src/core/server/licensing/licensing';
import { poolLine } from '../../support/poolLine';

/**
 * The license files of a simulated triad: version 1 is what every member starts with; a
 * distributed switch or an import on one member installs another. Each version serves one
 * counted feature `f`; `serverOrder` is the SERVER lines' host ids (reordering them is a
 * migration the triad must refuse).
 */

export const HOSTS = ['alpha', 'bravo', 'charlie'] as const;
export const HOST_IDS = ['0000aaaa0001', '0000bbbb0002', '0000cccc0003'] as const;
export const FEATURE = 'f';

export interface SimLicense {
  version: number;
  seats: number;
  serverOrder: readonly string[];
}

export class LicenseCatalog {
  private readonly versions = new Map<number, SimLicense>();

  constructor(seats: number) {
    this.versions.set(1, { version: 1, seats, serverOrder: [...HOST_IDS] });
  }

  get(version: number): SimLicense {
    const license = this.versions.get(version);
    if (!license) throw new Error(`no simulated license version ${version}`);
    return license;
  }

  /** A new file: same SERVER lines unless `serverOrder` says otherwise. */
  issue(seats: number, serverOrder: readonly string[] = HOST_IDS): SimLicense {
    const license = { version: this.versions.size + 1, seats, serverOrder: [...serverOrder] };
    this.versions.set(license.version, license);
    return license;
  }

  /** The most seats any file ever licensed (a file with fewer seats does not revoke held ones). */
  maxSeats(): number {
    return Math.max(...[...this.versions.values()].map((license) => license.seats));
  }
}

export function identityOf(license: SimLicense): LicenseIdentity {
  return { licenseHash: `hash-v${license.version}`, serverOrder: [...license.serverOrder] };
}

export function servingConfigOf(license: SimLicense, self: number): ServingConfig {
  const line = poolLine({ keyword: 'FEATURE', name: FEATURE, count: license.seats, source: `v${license.version}.lic:4` });
  return {
    poolLines: [line],
    options: new Map(),
    optionsProblems: new Map(),
    vendors: ['ibmratl'],
    licenseFiles: [`v${license.version}.lic`],
    members: HOSTS.map((host, rank) => ({
      host,
      hostid: HOST_IDS[rank],
      port: 27000,
      rank: (['primary', 'secondary', 'tertiary'] as const)[rank],
      up: rank === self,
      master: false,
      self: rank === self,
      problem: null,
    })),
    mode: 'triad',
    notes: [],
  };
}
