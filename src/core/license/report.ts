import type { LicenseCheckReport, LicenseDiagnostic, SignatureState } from '../../shared/contract';
import type { Diagnostic } from './diagnostic';
import { formatExpiry } from './expiry';
import { commonAttributes } from './attributes';
import { isUncounted, signedLines, type FeatureLine, type LicenseFile, type SignedLine, type UpgradeLine } from './model';
import { parseLicenseText } from './parser';
import { serverRanks } from './ranks';
import { verifyFeatures, type TrustStore } from './signature';
import { validateLicenseFile } from './validate';

function signatureProblem(line: SignedLine, state: SignatureState, file: LicenseFile): Diagnostic | null {
  if (state !== 'invalid') return null;
  const what = `${line.kind === 'feature' ? line.keyword : line.kind.toUpperCase()} ${line.name}`;
  const first = (line.source ?? '').split('\n')[0];
  const signAt = first.indexOf('SIGN=');
  return {
    severity: 'error',
    file: file.fileName,
    line: line.line,
    column: signAt < 0 ? 1 : signAt + 1,
    message:
      line.sign === null
        ? `${what} has no SIGN= but vendor ${line.vendor} has a trusted key`
        : `the signature of ${what} does not match any trusted key of vendor ${line.vendor}`,
    hint:
      line.sign === null
        ? `sign the file with \`triad keys sign\`, or ask the publisher for a signed file`
        : 'the line or a SERVER host id was changed after signing, or another key signed it: restore the file as issued or ask the publisher for a new one',
  };
}

function toDto(d: Diagnostic): LicenseDiagnostic {
  return { severity: d.severity, line: d.line, column: d.column, message: d.message, hint: d.hint };
}

/**
 * Everything `triad check` and the License files screen show: servers with roles, vendors,
 * features with their signature state, errors and warnings. An INVALID signature is an error
 * (the feature would not be served); `unverified` (no trusted key for the vendor) is not.
 */
export function checkLicenseText(text: string, fileName: string, trust: TrustStore, nowMs: number): LicenseCheckReport {
  const { file, diagnostics } = parseLicenseText(text, fileName);
  const all = [...diagnostics, ...validateLicenseFile(file, { nowMs })];
  const lines = signedLines(file);
  const states = verifyFeatures(file, lines, trust);
  const state = new Map<SignedLine, SignatureState>(lines.map((line, i) => [line, states[i]!]));
  for (const [line, s] of state) {
    const problem = signatureProblem(line, s, file);
    if (problem) all.push(problem);
  }
  all.sort((a, b) => a.line - b.line || a.column - b.column);
  // what FEATURE, INCREMENT and UPGRADE lines have in common in the report
  const summary = (f: FeatureLine | UpgradeLine) => ({
    name: f.name,
    vendor: f.vendor,
    version: f.version,
    expiry: formatExpiry(f.expiry),
    count: isUncounted(f.count) ? ('uncounted' as const) : (f.count as number),
    signature: state.get(f) ?? 'unverified',
    line: f.line,
  });
  return {
    fileName,
    servers: serverRanks(file).map(({ server, rank }) => ({ host: server.host, hostid: server.hostid, port: server.port, role: rank })),
    vendors: file.vendors.map((v) => ({ name: v.name, port: v.port, options: v.options })),
    features: file.features.map(summary),
    upgrades: file.upgrades.map((u) => ({ ...summary(u), fromVersion: u.fromVersion })),
    packages: file.packages.map((p) => ({
      name: p.name,
      vendor: p.vendor,
      version: p.version,
      components: commonAttributes(p).components ?? [],
      signature: state.get(p) ?? 'unverified',
      line: p.line,
    })),
    errors: all.filter((d) => d.severity === 'error').map(toDto),
    warnings: all.filter((d) => d.severity === 'warning').map(toDto),
  };
}
