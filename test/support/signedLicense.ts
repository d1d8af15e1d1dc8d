import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatVendorKeyFile, generateVendorKeyPair, parseLicenseText, serializeLicenseFile, signLicenseFile } from '../../src/core/license';

/**
 * Writes a license file signed with a fresh vendor key pair, plus the `.pub` to pass to
 * `triad serve --trust`. Tests bind the file to a made-up host id and start the server with
 * the same `--hostid`, so several "machines" can run on one.
 */

export interface TestFeature {
  name: string;
  count: number | 'uncounted';
  version?: string;
  /** `permanent` (default) or `dd-mmm-yyyy`. */
  expiry?: string;
  keyword?: 'FEATURE' | 'INCREMENT' | 'UPGRADE';
  /** UPGRADE only: the oldest version it upgrades (`UPGRADE name vendor from version ...`). */
  from?: string;
  /** Extra attributes as written, e.g. `LINGER=5` or `USER_BASED`. */
  attributes?: string[];
}

export interface TestLicense {
  vendor?: string;
  /** `extra`: keywords after the port, e.g. `PRIMARY_IS_MASTER` or `HEARTBEAT_INTERVAL=1`. */
  servers: { host: string; hostid: string; port?: number; extra?: string }[];
  features: TestFeature[];
  /** PACKAGE lines as written (signed with the features), e.g. `PACKAGE suite ibmratl 1.0 COMPONENTS="a b"`. */
  packages?: string[];
  /** Options file text, written as VENDOR.opt beside the license. */
  options?: string;
}

export interface WrittenLicense {
  licensePath: string;
  publicKeyPath: string;
  /** Rewrites the license (same key), e.g. with a new count before lmreread. */
  rewrite(license: TestLicense): void;
  /** Another license signed with the same key, as text (nothing written), e.g. to import. */
  signedText(license: TestLicense): string;
  /** The vendor's public key (PEM), e.g. to trust it in a data folder's store. */
  publicKeyPem: string;
}

export const TEST_HOSTID = '0a1b2c3d4e5f';

export function licenseText(license: TestLicense): string {
  const vendor = license.vendor ?? 'ibmratl';
  const lines = [
    '# written by test/support/signedLicense.ts',
    ...license.servers.map((s) => `SERVER ${s.host} ${s.hostid}${s.port !== undefined ? ` ${s.port}` : ''}${s.extra ? ` ${s.extra}` : ''}`),
    `VENDOR ${vendor}`,
    ...(license.packages ?? []),
    ...license.features.map(
      (f) =>
        `${f.keyword ?? 'INCREMENT'} ${f.name} ${vendor}${f.from ? ` ${f.from}` : ''} ${f.version ?? '1.0'} ${f.expiry ?? 'permanent'} ${f.count}` +
        (f.attributes?.length ? ` ${f.attributes.join(' ')}` : ''),
    ),
  ];
  return lines.join('\n') + '\n';
}

export function writeSignedLicense(dir: string, license: TestLicense, fileName = 'license.lic'): WrittenLicense {
  const vendor = license.vendor ?? 'ibmratl';
  const keys = generateVendorKeyPair(vendor);
  mkdirSync(dir, { recursive: true });
  const licensePath = path.join(dir, fileName);
  const publicKeyPath = path.join(dir, `${vendor}.pub`);
  writeFileSync(publicKeyPath, formatVendorKeyFile(vendor, keys.publicKeyPem));
  const signedText = (next: TestLicense) => {
    const { file } = parseLicenseText(licenseText(next), licensePath);
    return serializeLicenseFile(signLicenseFile(file, vendor, keys.privateKeyPem).file);
  };
  const write = (next: TestLicense) => {
    writeFileSync(licensePath, signedText(next));
    if (next.options !== undefined) writeFileSync(path.join(dir, `${vendor}.opt`), next.options);
  };
  write(license);
  return { licensePath, publicKeyPath, rewrite: write, signedText, publicKeyPem: keys.publicKeyPem };
}
