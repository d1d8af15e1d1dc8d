import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { licenseFileIn } from '../../../src/core/admin/adminApi';
import type { MethodArgs, MethodName } from '../../../src/shared/contract';
import { openAdminApp, type AdminApp } from '../../../src/host/adminApp';
import { startHttpHost } from '../../../src/host/httpHost';
import { invokeOk, provisionAdminDataDir } from '../../support/adminDataDir';
import { eventually, eventuallyValue } from '../../support/eventually';
import { freePort } from '../../support/freePort';
import { TEST_HOSTID, writeSignedLicense } from '../../support/signedLicense';
import { makeTempDir } from '../../support/tempDir';

/**
 * Issue 14, "Replace a server" on the admin screens: the admin API's `triad.replaceServer` does
 * on a running member what `triad replace-server` does on a stopped one (the same core function),
 * serves the new file and starts again; a file it cannot serve is refused with what is wrong and
 * how to fix it, and the server keeps running as it was.
 */

const temp = makeTempDir('replace-server-api-');
const apps: AdminApp[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  await Promise.all(apps.map((app) => app.close()));
  temp.remove();
});

const port = await freePort();
const features = [{ name: 'Modeler', count: 3 }];
const publisher = writeSignedLicense(path.join(temp.dir, 'publisher'), { servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID, port }], features });
const triadText = (hosts: string[]) => publisher.signedText({ servers: hosts.map((host) => ({ host, hostid: TEST_HOSTID, port })), features });
const CLUSTER_SECRET = '5e'.repeat(32);
const oldFile = triadText(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
const newFile = triadText(['127.0.0.1', '127.0.0.2', '127.0.0.4']);

const provision = (name: string, text: string) =>
  provisionAdminDataDir(path.join(temp.dir, name), { text, publicKeyPath: publisher.publicKeyPath, clusterSecret: CLUSTER_SECRET });
const call = <M extends MethodName>(app: AdminApp, method: M, args: MethodArgs<M>) => invokeOk(app.api, method, args);

async function refusal(app: AdminApp, args: MethodArgs<'triad.replaceServer'>): Promise<string> {
  const result = await app.api.invoke('triad.replaceServer', args);
  if (result.ok) throw new Error('replaced, expected a refusal');
  return result.error.message;
}

const open = async (name: string, as: string, text: string) => {
  const app = await openAdminApp({ dataDir: provision(name, text), as, hostid: TEST_HOSTID });
  apps.push(app);
  return app;
};
const oneMaster = (members: AdminApp[]) =>
  members.filter((app) => app.status().role === 'master').length === 1 && members.every((app) => app.status().quorum);

describe('Replace a server through the admin API', () => {
  let lic1: AdminApp;
  let lic2: AdminApp;

  it('refuses a license it cannot serve with what is wrong and how to fix it, and the server keeps running', async () => {
    lic1 = await open('lic1', '127.0.0.1', oldFile);
    lic2 = await open('lic2', '127.0.0.2', oldFile);
    await eventually(() => oneMaster([lic1, lic2]), 20_000);
    const role = lic1.status().role;

    // the License files check says which member the file replaces; an import never changes the members
    const checked = await call(lic1, 'license.check', { fileName: 'license-new.lic', text: newFile });
    expect(checked.membership).toMatchObject({
      change: 'replace-one',
      lines: [{ changed: false }, { changed: false }, { changed: true, recorded: { host: '127.0.0.3' }, now: { host: '127.0.0.4' } }],
    });
    expect(checked.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^its SERVER lines name other machines than this server's triad was formed with/), hint: expect.stringMatching(/Replace a server/) })]);
    expect((await call(lic1, 'license.check', { fileName: 'license-new.lic', text: newFile, replace: true })).errors).toEqual([]);
    expect(await call(lic1, 'license.import', { fileName: 'license-new.lic', text: newFile })).toMatchObject({ imported: false });

    const twoChanged = await refusal(lic1, { license: { fileName: 'two.lic', text: triadText(['127.0.0.1', '127.0.0.5', '127.0.0.4']) } });
    expect(twoChanged).toMatch(/^Nothing was replaced: the new license file changes more than one SERVER line, or reorders them \(SERVER line 2 \(secondary\): 127\.0\.0\.2 .* -> 127\.0\.0\.5 .*; SERVER line 3 \(tertiary\): 127\.0\.0\.3 .* -> 127\.0\.0\.4 .*\)\. .*triad quorum-reset --yes/);

    const stranger = writeSignedLicense(path.join(temp.dir, 'stranger'), {
      vendor: 'acme',
      servers: ['127.0.0.1', '127.0.0.2', '127.0.0.4'].map((host) => ({ host, hostid: TEST_HOSTID, port })),
      features,
    });
    const untrusted = await refusal(lic1, { license: { fileName: 'acme.lic', text: readFileSync(stranger.licensePath, 'utf8') } });
    expect(untrusted).toMatch(/acme\.lic: no trusted key of vendor acme verifies its lines, .*add acme's public key under Trusted vendor keys/);

    const singleText = publisher.signedText({ servers: [{ host: '127.0.0.1', hostid: TEST_HOSTID, port }], features });
    const single = await refusal(lic1, { license: { fileName: 'single.lic', text: singleText } });
    expect(single).toBe('Nothing was replaced: the new license file has 1 SERVER line(s); a triad needs three.');

    expect(await refusal(lic1, {})).toBe('Nothing was replaced: the new license file names the same three members: nothing to replace.');
    // zod: the license is a file name and its text
    const malformed = await lic1.api.invoke('triad.replaceServer', { license: { fileName: '', text: 'x' } });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    expect(lic1.status().role).toBe(role);
    expect(readFileSync(licenseFileIn(path.join(temp.dir, 'lic1')), 'utf8')).not.toContain('127.0.0.4');
    expect(lic1.store.audit.recent(20).filter((row) => row.action === 'replace server refused')).toHaveLength(4);
  });

  it('needs the admin token over the HTTP host', async () => {
    const adminToken = 'a7'.repeat(32);
    const host = await startHttpHost({
      api: lic1.api,
      metrics: () => [],
      adminToken,
      adminTokenFile: 'admin.token',
      rendererDir: null,
      host: '127.0.0.1',
      port: 0,
    });
    closers.push(() => host.close());
    const post = (headers: Record<string, string>) =>
      fetch(`${host.url}api/triad.replaceServer`, { method: 'POST', body: JSON.stringify({ license: { fileName: 'new.lic', text: newFile } }), headers });
    expect((await post({ 'content-type': 'application/json' })).status).toBe(401);
    expect(readFileSync(licenseFileIn(path.join(temp.dir, 'lic1')), 'utf8')).not.toContain('127.0.0.4');
  });

  it('replaces the third server on both that stay; the new machine joins, catches up and ends as a standby with a master', async () => {
    const first = await call(lic1, 'triad.replaceServer', { license: { fileName: 'license-new.lic', text: newFile } });
    expect(first.replacement).toMatchObject({ position: 3, rank: 'tertiary', from: { host: '127.0.0.3' }, to: { host: '127.0.0.4' } });
    expect(first.message).toMatch(/^SERVER line 3 \(tertiary\): 127\.0\.0\.3 \(host id \w+\) -> 127\.0\.0\.4 \(host id \w+\): this server keeps its seats and log\.$/);
    expect(first.outcome).toMatchObject({ state: 'waiting-for-peers', message: expect.stringMatching(/^Started again\. .*The steps left on the other two form it\.$/) });
    expect(first.status.members.map((member) => member.host)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.4']);
    // what is left: the other server that stays, then the new machine
    expect(first.steps.map((step) => step.done)).toEqual([false, false, false]);
    expect(first.steps[0]!.text).toMatch(/^On 127\.0\.0\.2: replace the server there too/);
    expect(first.steps[1]!.text).toMatch(/^On 127\.0\.0\.4, the new machine: .*cluster secret .*empty data folder/);
    expect(readFileSync(licenseFileIn(path.join(temp.dir, 'lic1')), 'utf8')).toBe(newFile);
    expect(await call(lic1, 'triad.replacement', {})).toMatchObject({ position: 3, to: { host: '127.0.0.4' } });
    expect(lic1.store.audit.recent(20).map((row) => row.action)).toContain('replace server');

    await call(lic2, 'triad.replaceServer', { license: { fileName: 'license-new.lic', text: newFile } });
    await eventually(() => oneMaster([lic1, lic2]), 20_000);

    const lic4 = await open('lic4', '127.0.0.4', newFile);
    await eventually(() => lic4.status().members[0]!.up && lic4.status().members[1]!.up, 20_000);
    // no client at work: the idle triad admits the learner on the master's heartbeats
    await eventuallyValue(
      () => {
        const { role, master, quorum, members, warnings } = lic4.status();
        return { role, master, quorum, members: members.map(({ host, up, learner, problem }) => ({ host, up, learner, problem })), warnings };
      },
      (status) =>
        status.role === 'standby' && status.master !== null && status.quorum && status.members.every((member) => member.up && member.learner === false),
      30_000,
    );
    expect(lic4.status().members.map((member) => member.host)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.4']);
    // the triad is whole again: nothing is left to do, on either server that stayed
    await eventually(async () => (await call(lic1, 'triad.replacement', {})) === null && (await call(lic2, 'triad.replacement', {})) === null, 10_000);
  });
});
