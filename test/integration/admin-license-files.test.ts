import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLicenseText, parseVendorKeyFile, serializeLicenseFile, signLicenseFile } from '../../src/core/license';
import { licenseFolderIn } from '../../src/core/licenseFiles/licenseFolder';
import type { MethodArgs, MethodName, MethodResult } from '../../src/shared/contract';
import { openAdminApp, type AdminApp } from '../../src/host/adminApp';
import { freePort } from '../support/freePort';
import { makeTempDir } from '../support/tempDir';

/**
 * The admin app's license files, with the real server: a data folder from before the license
 * folder keeps serving its file; files added beside it are served together and each checked;
 * what only this server knows (same servers, this machine on a triad file's SERVER lines) is
 * an error at check time; lmstat text as lmutil prints it.
 */

const temp = makeTempDir('admin-license-files-');
const dataDir = path.join(temp.dir, 'data');
let app: AdminApp;
let port: number;

async function call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
  const result = await app.api.invoke(method, args);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A license for this server's SERVER line, signed with the demo key made on first start. */
function signed(lines: string[], server = `SERVER 127.0.0.1 ANY ${port}`): string {
  const key = parseVendorKeyFile(readFileSync(path.join(dataDir, 'demo.key'), 'utf8'));
  if (!key.ok) throw new Error(key.message);
  const { file } = parseLicenseText([server, 'VENDOR demo', ...lines, ''].join('\n'), 'x.lic');
  return serializeLicenseFile(signLicenseFile(file, 'demo', key.pem).file);
}

const featureNames = () => app.status().features.map((f) => f.name).sort();

beforeAll(async () => {
  port = await freePort();
  // a data folder as the app left it before there was a license folder: license.lic beside the database
  mkdirSync(dataDir, { recursive: true });
  app = await openAdminApp({ dataDir, demoServerHost: '127.0.0.1', hostid: 'ANY', port, bind: '127.0.0.1' });
  await app.close();
  writeFileSync(path.join(dataDir, 'license.lic'), readFileSync(path.join(licenseFolderIn(dataDir), 'license.lic')));
  rmSync(licenseFolderIn(dataDir), { recursive: true });
  app = await openAdminApp({ dataDir, demoServerHost: '127.0.0.1', hostid: 'ANY', port, bind: '127.0.0.1' });
}, 30_000);

afterAll(async () => {
  await app?.close();
  temp.remove();
});

describe('license files of the admin app', () => {
  it('a data folder from before the license folder keeps serving its file, now in the folder', async () => {
    expect(existsSync(path.join(dataDir, 'license.lic'))).toBe(false);
    const listed = await call('license.list', {});
    expect(listed.location).toBe(licenseFolderIn(dataDir));
    expect(listed.files.map((f) => f.fileName)).toEqual(['license.lic']);
    expect(listed.files[0]!.report.errors).toEqual([]);
    expect(app.status().role).toBe('master');
    expect(featureNames()).toEqual(['demo_analyzer', 'demo_modeler', 'demo_reporter']);
  });

  it('adds a term file beside the permanent one, keeping its name; both are served and each checked', async () => {
    const term = signed(['FEATURE demo_term demo 1.0 31-dec-2099 4']);
    const result = await call('license.import', { fileName: 'rational_server_temp.dat', text: term, add: true });
    expect(result).toMatchObject({ imported: true, savedAs: 'rational_server_temp.lic' });
    expect(featureNames()).toEqual(['demo_analyzer', 'demo_modeler', 'demo_reporter', 'demo_term']);
    const listed = await call('license.list', {});
    expect(listed.files.map((f) => f.fileName)).toEqual(['license.lic', 'rational_server_temp.lic']);
    expect(listed.files.every((f) => f.report.errors.length === 0)).toBe(true);
    expect(app.status().licenseFiles.map((f) => path.basename(f))).toEqual(['license.lic', 'rational_server_temp.lic']);
  });

  it('refuses to add a file issued for other servers, at check time', async () => {
    const other = signed(['FEATURE demo_other demo 1.0 permanent 1'], `SERVER elsewhere 0a0b0c0d0e0f ${port}`);
    const report = await call('license.check', { fileName: 'other.lic', text: other, add: true });
    expect(report.errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/its SERVER lines \(elsewhere 0a0b0c0d0e0f\) are not those of license\.lic/));
    const refused = await call('license.import', { fileName: 'other.lic', text: other, add: true });
    expect(refused.imported).toBe(false);
    expect((await call('license.list', {})).files).toHaveLength(2);
  });

  it('flags a triad file that names none of this machine at check time', async () => {
    const triad = signed(
      ['FEATURE demo_modeler demo 1.0 permanent 5'],
      ['SERVER alpha ANY 27000', 'SERVER beta ANY 27000', 'SERVER gamma ANY 27000'].join('\n'),
    );
    const report = await call('license.check', { fileName: 'triad.lic', text: triad });
    const error = report.errors.find((e) => e.message.startsWith('none of the three SERVER lines (alpha, beta, gamma) is this machine'));
    expect(error).toBeDefined();
    expect(error!.line).toBe(1);
  });

  it('removes a file after which its features are no longer served; the last one stays', async () => {
    const after = await call('license.remove', { fileName: 'rational_server_temp.lic' });
    expect(after.files.map((f) => f.fileName)).toEqual(['license.lic']);
    expect(featureNames()).not.toContain('demo_term');
    const last = await app.api.invoke('license.remove', { fileName: 'license.lic' });
    expect(last).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(!last.ok && last.error.message).toContain('the only license file');
  });

  it('an import in place of the others leaves license.lic alone in the folder', async () => {
    await call('license.import', { fileName: 'term.lic', text: signed(['FEATURE demo_term demo 1.0 31-dec-2099 4']), add: true });
    const text = signed(['FEATURE demo_modeler demo 1.0 permanent 9']);
    expect(await call('license.import', { fileName: 'new-key.txt', text })).toMatchObject({ imported: true, savedAs: 'license.lic' });
    expect((await call('license.list', {})).files.map((f) => [f.fileName, f.text])).toEqual([['license.lic', text]]);
    expect(featureNames()).toEqual(['demo_modeler']);
  });

  it('trusting a key that is already trusted lists it once', async () => {
    const demoPub = readFileSync(path.join(dataDir, 'demo.pub'), 'utf8');
    const keys = await call('keys.add', { vendor: 'demo', publicKey: demoPub });
    expect(keys.filter((k) => k.vendor === 'demo')).toHaveLength(1);
  });

  it('shows lmstat -a as lmutil prints it for this server', async () => {
    const { text } = await call('status.lmstat', {});
    expect(text).toMatch(/^lmutil - Copyright/);
    expect(text).toContain(`License server status: ${port}@127.0.0.1`);
    expect(text).toContain('127.0.0.1: license server UP (MASTER) v1.0.0');
    expect(text).toContain('demo: UP v1.0.0');
    expect(text).toMatch(/Users of demo_modeler: {2}\(Total of 9 licenses issued; {2}Total of 0 licenses in use\)/);
  });
});
