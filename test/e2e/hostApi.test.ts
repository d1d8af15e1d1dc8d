/**
 * The admin contract over HTTP: the headless host (store, demo license, license server on a free
 * loopback port) driven with fetch and the event stream. Covers what the browser test does not:
 * validation, refusals, the SSE stream, the Host-header guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/shared/contract';
import type { ServerStatus } from '../../src/shared/status';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoHostArgs, freePort, removeBundles, runHost, runTriad, startHost, tempDir, type HostProcess } from './hostProcess';

let data: ReturnType<typeof tempDir>;
let host: HostProcess;

async function call<T>(
  method: string,
  args: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: Result<T> }> {
  const response = await fetch(`${host.url}api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.token}`, ...headers },
    body: JSON.stringify(args),
  });
  return { status: response.status, body: (await response.json()) as Result<T> };
}

beforeAll(async () => {
  data = tempDir('triad-hostapi-');
  host = await startHost(await demoHostArgs(data.dir, await freePort()), { apiOnly: true });
});

afterAll(async () => {
  await host?.stop();
  data?.remove();
  await removeBundles();
});

describe('admin API over HTTP', () => {
  it('refuses to listen where other machines could reach it unless remote admin is allowed', async () => {
    const refused = await runHost(['--listen', `0.0.0.0:${await freePort()}`, '--data', path.join(data.dir, 'remote')]);
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/plain HTTP that carries the admin token.*--allow-remote-admin/s);
  });

  it('serves the demo license made on first start, signed and trusted', async () => {
    expect(host.output()).toContain('demo license created');
    const { body } = await call<ServerStatus>('status.get', {});
    expect(body.ok && body.value.role).toBe('master');
    expect(body.ok && body.value.features.map((f) => [f.name, f.issued, f.served])).toEqual([
      ['demo_modeler', 5, true],
      ['demo_analyzer', 3, true],
      ['demo_reporter', 2, true],
    ]);
    const keys = await call<{ vendor: string }[]>('keys.list', {});
    expect(keys.body.ok && keys.body.value.map((k) => k.vendor)).toEqual(['demo']);
  });

  it('answers bad arguments, unknown methods and non-JSON bodies with an envelope that says what is wrong', async () => {
    const bad = await call('client.move', { id: 1, delta: 5 });
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(!bad.body.ok && bad.body.error.message).toContain('delta');
    const unknown = await call('nope.nothing', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    const form = await call('status.get', {}, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('refuses a license file with errors and keeps serving the current one', async () => {
    const before = await call<{ text: string }>('license.current', {});
    const result = await call<{ imported: boolean; report: { errors: { line: number }[] } }>('license.import', {
      fileName: 'bad.lic',
      text: 'SERVER a ANY 27000\nSERVER b ANY\nVENDOR demo\nFEATURE f demo 1.0 permanent 5\n',
    });
    expect(result.body.ok && result.body.value.imported).toBe(false);
    expect(result.body.ok && result.body.value.report.errors.length).toBeGreaterThan(0);
    expect((await call('license.current', {})).body).toEqual(before.body);
    const status = await call<ServerStatus>('status.get', {});
    expect(status.body.ok && status.body.value.role).toBe('master');
  });

  it('refuses at check time a triad file that names none of this machine, and keeps serving the current one', async () => {
    const before = await call<{ text: string }>('license.current', {});
    const elsewhere = 'SERVER far1 ANY 27000\nSERVER far2 ANY 27000\nSERVER far3 ANY 27000\nVENDOR demo\n';
    const checked = await call<{ errors: { message: string }[] }>('license.check', { fileName: 'far.lic', text: elsewhere });
    expect(checked.body.ok && checked.body.value.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^none of the three SERVER lines \(far1, far2, far3\) is this machine/)]);
    const refused = await call<{ imported: boolean }>('license.import', { fileName: 'far.lic', text: elsewhere });
    expect(refused.body).toMatchObject({ ok: true, value: { imported: false } });
    expect((await call<{ text: string }>('license.current', {})).body).toMatchObject({
      ok: true,
      value: { text: before.body.ok ? before.body.value.text : '' },
    });
    expect((await call<ServerStatus>('status.get', {})).body).toMatchObject({ ok: true, value: { role: 'master' } });
  });

  it('refuses a private key as a trusted key', async () => {
    const refused = await call('keys.add', { vendor: 'demo', publicKey: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKd\n-----END PRIVATE KEY-----' });
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('imports an LM_LICENSE_FILE value into the search order and exports it back', async () => {
    const imported = await call<{ entries: { type: string; name: string }[] }>('client.import', { value: '27000@a,27000@b,27000@c;27001@siteB' });
    expect(imported.body.ok && imported.body.value.entries.map((e) => e.type)).toEqual(['redundant', 'single']);
    const exported = await call<{ value: string }>('client.export', { platform: 'windows' });
    expect(exported.body).toEqual({ ok: true, value: { value: '27000@a,27000@b,27000@c;27001@siteB' } });
    const refused = await call('client.import', { value: '27000@a,27000@b' });
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect((await call<{ entries: unknown[] }>('client.get', {})).body).toMatchObject({ ok: true, value: { entries: [{}, {}] } });
  });

  it('streams contract events as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${host.url}api/events`, { signal: controller.signal, headers: { authorization: `Bearer ${host.token}` } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    await call('client.setUse', { use: true });
    let text = '';
    const deadline = Date.now() + 5_000;
    while (!text.includes('event: clientConfig') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const data = /event: clientConfig\ndata: (.*)\n/.exec(text)?.[1];
    expect(JSON.parse(data!)).toMatchObject({ useLicenseServer: true });
  });

  it('refuses requests whose Host header is not the loopback (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(host.url);
      const req = request({ host: url.hostname, port: url.port, path: '/', headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe('triad service install (Linux)', () => {
  it('writes a systemd unit that runs `triad serve` with the license and data folder, and removes it', async () => {
    const dir = tempDir('triad-unit-');
    try {
      const license = path.join(dir.dir, 'my license.lic');
      writeFileSync(license, 'VENDOR demo\n');
      const key = path.join(dir.dir, 'demo.pub');
      writeFileSync(key, 'Vendor: demo\n');
      const missingKey = await runTriad(['service', 'install', '-c', license, '--trust', path.join(dir.dir, 'nope.pub'), '--unit-dir', dir.dir]);
      expect(await missingKey.exited).toBe(2);
      const install = await runTriad([
        'service',
        'install',
        '-c',
        license,
        '--data',
        path.join(dir.dir, 'data'),
        '--trust',
        key,
        '--user',
        'triad',
        '--unit-dir',
        dir.dir,
      ]);
      expect(await install.exited).toBe(0);
      const unit = readFileSync(path.join(dir.dir, 'triad.service'), 'utf8');
      expect(unit).toMatch(
        new RegExp(`^ExecStart=\\S+ \\S+cli-\\d+\\.mjs serve -c "${license.replace(/[.]/g, '\\.')}" --data \\S+/data --trust \\S+/demo\\.pub$`, 'm'),
      );
      // a data folder elsewhere than /var/lib is the administrator's to create
      expect(unit).not.toContain('StateDirectory');
      const varLib = await runTriad(['service', 'install', '-c', license, '--user', 'triad', '--print']);
      expect(await varLib.exited).toBe(0);
      expect(varLib.output()).toContain('StateDirectory=triad\nStateDirectoryMode=0700');
      expect(unit).toContain('User=triad');
      expect(unit).toContain('Restart=on-failure');
      expect(unit).toContain('WantedBy=multi-user.target');
      const uninstall = await runTriad(['service', 'uninstall', '--unit-dir', dir.dir]);
      expect(await uninstall.exited).toBe(0);
      const again = await runTriad(['service', 'uninstall', '--unit-dir', dir.dir]);
      expect(await again.exited).toBe(1);
    } finally {
      dir.remove();
    }
  });
});
