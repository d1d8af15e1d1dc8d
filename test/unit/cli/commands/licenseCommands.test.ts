import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../../../src/cli/commands/check';
import { keysCommand } from '../../../../src/cli/commands/keys';
import { lmhostidCommand } from '../../../../src/cli/commands/lmhostid';
import { createProgram, runProgram } from '../../../../src/cli/program';
import { fixture, fixturePath } from '../../license/fixtures';

const dir = mkdtempSync(path.join(os.tmpdir(), 'triad-license-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function triad(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await runProgram(createProgram([keysCommand, checkCommand, lmhostidCommand]), argv);
  vi.restoreAllMocks();
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

const ISSUED =
  fixture('seed-triad.lic') +
  [
    'INCREMENT DOORS ibmratl 9.7 31-dec-2099 25 DUP_GROUP=UH vendor_info="a"',
    'FEATURE other acme 1.0 permanent uncounted HOSTID=ANY',
    'VENDOR acme',
    '',
  ].join('\n');
const licenseFile = path.join(dir, 'license.lic');
const keyDir = path.join(dir, 'keys');

describe('triad keys', () => {
  it('new writes NAME.key (0600) and NAME.pub, and refuses to overwrite', async () => {
    expect((await triad('keys', 'new', '--vendor', 'ibmratl', '--out', keyDir)).code).toBe(0);
    expect(statSync(path.join(keyDir, 'ibmratl.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(keyDir, 'ibmratl.pub'), 'utf8')).toMatch(/^Vendor: ibmratl\n-----BEGIN PUBLIC KEY-----/);
    const again = await triad('keys', 'new', '--vendor', 'ibmratl', '--out', keyDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect((await triad('keys', 'new', '--vendor', 'bad name', '--out', keyDir)).code).toBe(2);
  });

  it('sign writes SIGN= on the vendor\'s lines, in place by default', async () => {
    writeFileSync(licenseFile, ISSUED);
    const result = await triad('keys', 'sign', licenseFile, '--key', path.join(keyDir, 'ibmratl.key'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Signed 1 line(s) of vendor ibmratl');
    const text = readFileSync(licenseFile, 'utf8');
    expect(text).toMatch(/INCREMENT DOORS[\s\S]*SIGN="[0-9A-F]{4} /);
    expect(text).toContain('FEATURE other acme 1.0 permanent uncounted HOSTID=ANY\n');
  });

  it('sign refuses a public key, a file with errors, and a file without the vendor', async () => {
    expect((await triad('keys', 'sign', licenseFile, '--key', path.join(keyDir, 'ibmratl.pub'))).code).toBe(2);
    const broken = path.join(dir, 'broken.lic');
    writeFileSync(broken, fixture('seed-triad-no-ports.lic'));
    const result = await triad('keys', 'sign', broken, '--key', path.join(keyDir, 'ibmratl.key'), '-o', '-');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.lic:1:\d+: error: /);
    const other = path.join(dir, 'other.lic');
    writeFileSync(other, 'VENDOR acme\nFEATURE f acme 1.0 permanent uncounted\n');
    expect((await triad('keys', 'sign', other, '--key', path.join(keyDir, 'ibmratl.key'))).stderr).toContain('nothing was signed');
  });
});

describe('triad check', () => {
  it('prints roles, ports, vendors and one line per feature; exit 0 with valid and unverified signatures', async () => {
    const result = await triad('check', licenseFile, '--trust', path.join(keyDir, 'ibmratl.pub'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/primary\s+Apple\s+111dead\s+port 27000/);
    expect(result.stdout).toMatch(/secondary\s+Orange\s+2222dead\s+port 27000/);
    expect(result.stdout).toMatch(/tertiary\s+Banana\s+3333dead\s+port 27000/);
    expect(result.stdout).toMatch(/^\s+ibmratl\s+port any/m);
    expect(result.stdout).toMatch(/DOORS\s+ibmratl\s+9\.7\s+31-dec-2099\s+25\s+valid/);
    expect(result.stdout).toMatch(/other\s+acme\s+1\.0\s+permanent\s+uncounted\s+unverified/);
    expect(result.stdout).toContain('0 errors, 0 warnings');
  });

  it('--trust is repeatable: one key per vendor', async () => {
    await triad('keys', 'new', '--vendor', 'acme', '--out', keyDir);
    const both = path.join(dir, 'both.lic');
    expect((await triad('keys', 'sign', licenseFile, '--key', path.join(keyDir, 'acme.key'), '-o', both)).code).toBe(0);
    const trust = ['--trust', path.join(keyDir, 'ibmratl.pub'), '--trust', path.join(keyDir, 'acme.pub')];
    const result = await triad('check', both, ...trust);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/DOORS\s+ibmratl.*\svalid\n/);
    expect(result.stdout).toMatch(/other\s+acme.*\svalid\n/);
    // The unsigned original: acme's line now has a trusted key but no SIGN=.
    expect((await triad('check', licenseFile, ...trust)).code).toBe(1);
  });

  it('exit 1 and INVALID when a signed field was changed', async () => {
    const tampered = path.join(dir, 'tampered.lic');
    writeFileSync(tampered, readFileSync(licenseFile, 'utf8').replace('9.7 31-dec-2099 25', '9.7 31-dec-2099 250'));
    const result = await triad('check', tampered, '--trust', path.join(keyDir, 'ibmratl.pub'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/DOORS\s+ibmratl\s+9\.7\s+31-dec-2099\s+250\s+INVALID/);
    expect(result.stderr).toMatch(/tampered\.lic:5:\d+: error: the signature of INCREMENT DOORS/);
  });

  it('exit 1 with the triad port error for the seed file without ports', async () => {
    const result = await triad('check', fixturePath('seed-triad-no-ports.lic'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('seed-triad-no-ports.lic:2:26: error: SERVER line 2 (Orange) has no port');
    expect(result.stderr).toContain('  hint: add the port after the host id: SERVER Orange 2222dead 27000');
  });

  it('--json prints the report in the shape of issue 2', async () => {
    const result = await triad('check', licenseFile, '--json', '--trust', path.join(keyDir, 'ibmratl.pub'));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['servers', 'vendors', 'features', 'upgrades', 'packages', 'optionsFiles', 'errors', 'warnings']);
    expect(report.servers[0]).toEqual({ host: 'Apple', hostid: '111dead', port: 27000, role: 'primary' });
    expect(report.vendors).toEqual([
      { name: 'ibmratl', port: null, options: null },
      { name: 'acme', port: null, options: null },
    ]);
    expect(report.features).toEqual([
      { name: 'DOORS', vendor: 'ibmratl', version: '9.7', expiry: '31-dec-2099', count: 25, signature: 'valid' },
      { name: 'other', vendor: 'acme', version: '1.0', expiry: 'permanent', count: 'uncounted', signature: 'unverified' },
    ]);
    expect(report.errors).toEqual([]);
    const bad = JSON.parse((await triad('check', fixturePath('seed-triad-no-ports.lic'), '--json')).stdout);
    expect(bad.errors).toHaveLength(3);
    expect(Object.keys(bad.errors[0])).toEqual(['line', 'column', 'message', 'hint']);
  });

  it('lists PACKAGE and UPGRADE lines, and shows a count of 0 as uncounted (issue 15)', async () => {
    const result = await triad('check', fixturePath('package.lic'));
    expect(result.stdout).toMatch(/^\s+viewer\s+acme\s+1\.0\s+permanent\s+uncounted\s+unverified$/m);
    expect(result.stdout).toMatch(/Packages:\n\s+PACKAGE\s+VENDOR\s+VERSION\s+COMPONENTS\s+SIGNATURE\n\s+suite\s+acme\s+1\.0\s+cad:1\.0 viewer:1\.0:2\s+unverified\n/);
    const json = JSON.parse((await triad('check', fixturePath('package.lic'), '--json')).stdout);
    expect(json.packages).toEqual([{ name: 'suite', vendor: 'acme', version: '1.0', components: ['cad:1.0', 'viewer:1.0:2'], signature: 'unverified' }]);
    expect(json.features[1]).toMatchObject({ name: 'viewer', count: 'uncounted' });
    const upgrade = path.join(dir, 'upgrade.lic');
    writeFileSync(upgrade, 'SERVER s ANY 27000\nVENDOR v\nINCREMENT f1 v 1.0 permanent 5\nUPGRADE f1 v 1.0 2.0 permanent 2\n');
    const text = await triad('check', upgrade);
    expect(text.stdout).toMatch(/Upgrades:\n\s+UPGRADE\s+VENDOR\s+FROM\s+TO\s+EXPIRY\s+COUNT\s+SIGNATURE\n\s+f1\s+v\s+1\.0\s+2\.0\s+permanent\s+2\s+unverified\n/);
    expect(JSON.parse((await triad('check', upgrade, '--json')).stdout).upgrades).toEqual([
      { name: 'f1', vendor: 'v', fromVersion: '1.0', version: '2.0', expiry: 'permanent', count: 2, signature: 'unverified' },
    ]);
  });

  it('checks the options file of each vendor and points at FILE:LINE:COL with a hint (issue 15)', async () => {
    const optsDir = path.join(dir, 'opts');
    mkdirSync(optsDir, { recursive: true });
    const lic = path.join(optsDir, 'license.lic');
    writeFileSync(lic, 'VENDOR ibmratl\nVENDOR acme OPTIONS=C:\\flexlm\\acme.opt\nFEATURE f ibmratl 1.0 permanent uncounted HOSTID=ANY\n');
    writeFileSync(path.join(optsDir, 'ibmratl.opt'), 'EXCLUDE f USER\nINCLUDE f USER bob # lead\n');
    const result = await triad('check', lic);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Options files:\n\s+ibmratl\s+\S*ibmratl\.opt\s+1 rule, 1 error, 1 warning\n\s+acme\s+C:\\flexlm\\acme\.opt\s+not found/);
    expect(result.stderr).toContain(`${path.join(optsDir, 'ibmratl.opt')}:1:1: error: EXCLUDE: missing values.`);
    expect(result.stderr).toContain(`${path.join(optsDir, 'ibmratl.opt')}:2:20: warning:`);
    expect(result.stderr).toMatch(new RegExp(`${lic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:13: error: options file "C:\\\\flexlm\\\\acme\\.opt"`));
    expect(result.stdout).toContain('2 errors, 1 warning');
    const json = JSON.parse((await triad('check', lic, '--json')).stdout);
    expect(json.optionsFiles).toEqual([
      {
        vendor: 'ibmratl',
        path: path.join(optsDir, 'ibmratl.opt'),
        found: true,
        errors: [expect.objectContaining({ file: path.join(optsDir, 'ibmratl.opt'), line: 1, column: 1 })],
        warnings: [expect.objectContaining({ line: 2, column: 20 })],
      },
      { vendor: 'acme', path: 'C:\\flexlm\\acme.opt', found: false, errors: [expect.objectContaining({ file: lic, line: 2, column: 13 })], warnings: [] },
    ]);
  });

  it('exit 2 for usage errors: missing file, bad trust file, unknown flag', async () => {
    expect((await triad('check', path.join(dir, 'missing.lic'))).code).toBe(2);
    expect((await triad('check', licenseFile, '--trust', licenseFile)).code).toBe(2);
    expect((await triad('check', licenseFile, '--trust', path.join(keyDir, 'ibmratl.key'))).code).toBe(2);
    expect((await triad('check', licenseFile, '--bogus')).code).toBe(2);
    expect((await triad('check')).code).toBe(2);
  });
});

describe('triad lmhostid', () => {
  it('prints the id the FlexLM way, and only the id with -n', async () => {
    const full = await triad('lmhostid');
    const only = await triad('lmhostid', '-n');
    if (full.code === 0) {
      expect(full.stdout).toMatch(/^The FlexNet host ID of this machine is "[0-9a-f]{12}"\n$/);
      expect(only.stdout).toMatch(/^[0-9a-f]{12}\n$/);
    } else {
      expect(full.stderr).toContain('no network interface');
    }
  });
});
