import fc from 'fast-check';
import { fuzzSettings } from '../../support/fuzzSettings';
import { describe, expect, it } from 'vitest';
import {
  makeLicenseFile,
  parseLicenseText,
  serializeLicenseFile,
  type Attribute,
  type Diagnostic,
  type LicenseFile,
  type LicenseLine,
} from '../../../src/core/license';
import { fixture } from './fixtures';

const SETTINGS = fuzzSettings({ seed: 20261128, numRuns: 400 });

function checkDiagnostics(text: string, diagnostics: Diagnostic[]): void {
  const physicalLines = Math.max(1, text.split(/\r\n|\r|\n/).length);
  for (const d of diagnostics) {
    expect(['error', 'warning']).toContain(d.severity);
    expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= physicalLines).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 1).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.file).toBe('fuzz.lic');
  }
}

const licenseAlphabet = fc.constantFrom(
  'SERVER ', 'VENDOR ', 'DAEMON ', 'FEATURE ', 'INCREMENT ', 'PACKAGE ', 'USE_SERVER', 'feature ',
  'host ', '111dead ', '27000 ', '-5 ', '70000 ', 'ibmratl ', '1.0 ', 'permanent ', '31-dec-2026 ', '31-feb-2026 ', '1-jan-0 ',
  'uncounted ', '0 ', 'SIGN="', 'NOTICE="', '"', '\\', '\n', '\n\t', '\r\n', '#', '=', ' ', 'PORT=', 'OPTIONS=', 'HOSTID=',
  'COMPONENTS="a b" ', 'PRIMARY_IS_MASTER ', 'HEARTBEAT_INTERVAL=', 'x', 'é', '\u0000',
);
const licenseLikeText = fc.array(licenseAlphabet, { maxLength: 80 }).map((parts) => parts.join(''));

type Mutation = { at: number; kind: 'delete' | 'insert' | 'duplicate-line' | 'swap-lines'; char: string };
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('delete', 'insert', 'duplicate-line', 'swap-lines'),
  char: fc.constantFrom('"', '\\', '\n', '\t', ' ', '=', '#', '-', '0', 'a'),
});

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const i = out.length === 0 ? 0 : m.at % out.length;
    const lines = out.split('\n');
    const li = m.at % lines.length;
    if (m.kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else if (m.kind === 'insert') out = out.slice(0, i) + m.char + out.slice(i);
    else if (m.kind === 'duplicate-line') out = [...lines.slice(0, li + 1), lines[li], ...lines.slice(li + 1)].join('\n');
    else {
      const lj = (li + 1) % lines.length;
      [lines[li], lines[lj]] = [lines[lj], lines[li]];
      out = lines.join('\n');
    }
  }
  return out;
}

const FIXTURES = ['seed-triad.lic', 'seed-triad-no-ports.lic', 'ibm-rlks.lic', 'package.lic'].map(fixture);

describe('robustness', () => {
  it('random license-like text never throws and every diagnostic is located', () => {
    fc.assert(
      fc.property(fc.oneof(licenseLikeText, fc.string({ maxLength: 200 })), (text) => {
        const { file, diagnostics } = parseLicenseText(text, 'fuzz.lic');
        expect(file.fileName).toBe('fuzz.lic');
        checkDiagnostics(text, diagnostics);
      }),
      SETTINGS,
    );
  });

  it('mutated real files never throw and every diagnostic is located', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 6 }), (base, mutations) => {
        const text = mutate(base, mutations);
        checkDiagnostics(text, parseLicenseText(text, 'fuzz.lic').diagnostics);
      }),
      SETTINGS,
    );
  });
});

/** The model without layout: what must survive rendering from fields. */
function semantic(file: LicenseFile): unknown {
  return file.lines.map((l) => ({ ...l, line: undefined, source: undefined }));
}

const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const safeText = fc.stringMatching(/^[A-Za-z0-9 .:;|/-]{0,24}$/);
const attribute: fc.Arbitrary<Attribute> = fc.oneof(
  fc.constantFrom('TS_OK', 'SUPERSEDE', 'FLOAT_OK', 'USER_BASED').map((key) => ({ key, value: null, quoted: false })),
  fc
    .tuple(fc.constantFrom('NOTICE', 'VENDOR_STRING', 'DUP_GROUP', 'ISSUER', 'vendor_info', 'asset_info', 'X_UNKNOWN'), safeText, fc.boolean())
    .map(([key, value, q]) => ({ key, value, quoted: q || value === '' || /\s/.test(value) })),
);
const date = fc.record({ year: fc.integer({ min: 1990, max: 2099 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) });
const hex = fc.stringMatching(/^[0-9a-f]{4,12}$/);
const at = { line: 0, source: null };

const licenseLine: fc.Arbitrary<LicenseLine> = fc.oneof(
  fc.stringMatching(/^[^\n\r]{0,30}$/).map((t) => ({ ...at, kind: 'comment' as const, text: t.trimEnd() })),
  fc.constant({ ...at, kind: 'blank' as const }),
  fc.constant({ ...at, kind: 'useServer' as const }),
  fc.record({
    host: word,
    hostid: hex,
    port: fc.option(fc.integer({ min: 1, max: 65535 })),
    primaryIsMaster: fc.boolean(),
    heartbeatInterval: fc.option(fc.integer({ min: 0, max: 120 })),
  }).map((s) => ({ ...at, kind: 'server' as const, ...s, extras: [] })),
  fc.record({
    keyword: fc.constantFrom('VENDOR' as const, 'DAEMON' as const),
    name: word,
    path: fc.option(word.map((w) => `/opt/${w}`)),
    options: fc.option(word.map((w) => `${w}.opt`)),
    port: fc.option(fc.integer({ min: 0, max: 65535 })),
  }).map((v) => ({ ...at, kind: 'vendor' as const, ...v, extras: [] })),
  fc.record({
    keyword: fc.constantFrom('FEATURE' as const, 'INCREMENT' as const),
    name: word,
    vendor: word,
    version: fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a}.${b}`),
    expiry: fc.oneof(fc.constant({ permanent: true as const }), date.map((d) => ({ permanent: false as const, ...d }))),
    count: fc.oneof(fc.constant('uncounted' as const), fc.nat(10_000)),
    licenseKey: fc.option(fc.stringMatching(/^[0-9A-F]{12}$/)),
    attributes: fc.array(attribute, { maxLength: 6 }),
    sign: fc.option(fc.stringMatching(/^[0-9A-F]{4}( [0-9A-F]{4}){0,31}$/)),
  }).map((f) => ({ ...at, kind: 'feature' as const, ...f })),
  fc.record({
    name: word,
    vendor: word,
    version: fc.option(fc.constantFrom('1.0', '2.5')),
    attributes: fc.array(attribute, { maxLength: 3 }).map((a) => [{ key: 'COMPONENTS', value: 'a b:1.0', quoted: true }, ...a]),
    sign: fc.option(fc.stringMatching(/^[0-9A-F]{4}$/)),
  }).map((p) => ({ ...at, kind: 'package' as const, ...p })),
);

describe('serialize', () => {
  it('parse -> serialize -> parse gives the same model for any text (comments and order survive)', () => {
    fc.assert(
      fc.property(fc.oneof(licenseLikeText, fc.constantFrom(...FIXTURES)), (text) => {
        const first = parseLicenseText(text, 'fuzz.lic').file;
        const again = parseLicenseText(serializeLicenseFile(first), 'fuzz.lic').file;
        expect(again).toEqual(first);
      }),
      SETTINGS,
    );
  });

  it('lines built in code render to text that parses back to the same model', () => {
    fc.assert(
      fc.property(fc.array(licenseLine, { maxLength: 12 }), (lines) => {
        const built = makeLicenseFile('fuzz.lic', lines);
        const text = serializeLicenseFile(built);
        const parsed = parseLicenseText(text, 'fuzz.lic').file;
        expect(semantic(parsed)).toEqual(semantic(built));
      }),
      SETTINGS,
    );
  });

  it('an unchanged file serializes byte for byte', () => {
    for (const text of FIXTURES) expect(serializeLicenseFile(parseLicenseText(text, 'f').file)).toBe(text);
  });
});
