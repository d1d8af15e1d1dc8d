import type { FeatureStatus } from '../../shared/status';
import { authoritativeStatus, type ServerReport } from '../lmstat/report';
import { checkout, type CheckoutOptions } from './checkout';

/**
 * lmdiag (reference 4.1): for each license of the selected features, try a real checkout at the
 * server that serves it and check the seat straight back in, and say why when it fails.
 */

/** `feature[:KEYWORD=value]` as lmdiag takes it. */
export interface DiagnosisSelection {
  feature: string | null;
  keyword: { name: 'VERSION' | 'EXPDATE' | 'VENDOR_STRING' | 'HOSTID'; value: string } | null;
}

const KEYWORDS = ['VERSION', 'EXPDATE', 'VENDOR_STRING', 'HOSTID'] as const;

/** Reads lmdiag's argument; an error message (what is wrong, what works) when it cannot. */
export function parseDiagnosisSelection(argument: string | undefined): DiagnosisSelection | { error: string } {
  if (argument === undefined || argument === '') return { feature: null, keyword: null };
  const colon = argument.indexOf(':');
  if (colon < 0) return { feature: argument, keyword: null };
  const feature = argument.slice(0, colon);
  const match = /^([A-Za-z_]+)=(.*)$/.exec(argument.slice(colon + 1));
  const name = match?.[1].toUpperCase();
  const known = KEYWORDS.find((keyword) => keyword === name);
  if (!match || !known) {
    return {
      error: `"${argument}": write FEATURE or FEATURE:KEYWORD=value with KEYWORD one of ${KEYWORDS.join(', ')} (a Triad server does not publish KEY or ISSUER)`,
    };
  }
  return { feature, keyword: { name: known, value: match[2] } };
}

export function selectedPools(pools: readonly FeatureStatus[], selection: DiagnosisSelection): FeatureStatus[] {
  return pools.filter((pool) => {
    if (selection.feature !== null && pool.name !== selection.feature) return false;
    const keyword = selection.keyword;
    if (!keyword) return true;
    const value = { VERSION: pool.version, EXPDATE: pool.expiry, VENDOR_STRING: pool.vendorString, HOSTID: pool.lockedTo }[keyword.name];
    return value !== null && value.toLowerCase() === keyword.value.toLowerCase();
  });
}

export interface Diagnosis {
  /** The entry as lmdiag names it (`License file:`), e.g. `27000@host`. */
  entry: string;
  /** The server that serves the entry (its SERVER-line host), null when none answered. */
  server: string | null;
  pool: FeatureStatus;
  /** null: the license can be checked out; else why not. */
  problem: string | null;
}

export interface Requester {
  user: string;
  host: string;
  display: string;
}

/** Diagnoses every selected license of every entry that answered. */
export async function diagnose(
  reports: readonly ServerReport[],
  selection: DiagnosisSelection,
  requester: Requester,
  options: CheckoutOptions,
): Promise<Diagnosis[]> {
  const diagnoses: Diagnosis[] = [];
  for (const report of reports) {
    const status = authoritativeStatus(report);
    if (!status) continue;
    const entry = report.members.map((m) => `${m.port}@${m.host}`).join(',');
    const serving = report.probes.find((probe) => 'status' in probe && probe.status.role === 'master');
    for (const pool of selectedPools(status.features, selection)) {
      let problem: string | null;
      if (!pool.served) problem = pool.notServedReason ?? 'the server does not serve this license';
      else if (!serving) problem = 'no server of this entry is serving licenses now (no master)';
      else problem = await tryCheckout({ host: serving.host, port: serving.port }, pool, requester, options);
      diagnoses.push({ entry, server: status.master ?? status.host, pool, problem });
    }
  }
  return diagnoses;
}

async function tryCheckout(
  server: { host: string; port: number },
  pool: FeatureStatus,
  requester: Requester,
  options: CheckoutOptions,
): Promise<string | null> {
  const result = await checkout([server], { feature: pool.name, version: pool.version, count: 1, ...requester }, options);
  if (result.kind === 'granted') {
    await result.license.checkin();
    return null;
  }
  return result.kind === 'denied' ? result.reason : `Cannot connect to license server: ${result.errors.join('; ')}`;
}
