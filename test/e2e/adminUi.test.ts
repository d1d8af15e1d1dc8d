/**
 * The admin UI end to end: the headless host (real license server, real store) against the built
 * renderer, driven in headless Chromium. Screenshots of each screen go to test-results/.
 * Needs `npm run build` first (the renderer); the browser comes from test/support/browser.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugLogLinePattern } from '../../src/shared/debugLogText';
import { launchBrowser } from '../support/browser';
import { demoHostArgs, freePort, removeBundles, runTriad, startHost, tempDir, type Child, type HostProcess } from './hostProcess';

const resultsDir = path.resolve(import.meta.dirname, '../../test-results');

let data: ReturnType<typeof tempDir>;
let host: HostProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let licensePort: number;
const children: Child[] = [];

async function screenshot(name: string) {
  await page.screenshot({ path: path.join(resultsDir, `admin-${name}.png`), fullPage: true });
}

async function go(tab: string) {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('heading', { level: 2, name: tab }).waitFor();
}

/** A license for this host signed (by `triad keys sign`) with the demo key made on first start. */
async function demoSignedLicense(features: string[]): Promise<string> {
  const file = path.join(data.dir, 'new.lic');
  writeFileSync(file, [`SERVER 127.0.0.1 ANY ${licensePort}`, 'VENDOR demo', ...features, ''].join('\n'));
  const sign = await runTriad(['keys', 'sign', file, '--key', path.join(data.dir, 'demo.key')]);
  expect(await sign.exited).toBe(0);
  return readFileSync(file, 'utf8');
}

async function chooseFile(testId: string, name: string, text: string) {
  await page.getByTestId(testId).setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  data = tempDir('triad-e2e-data-');
  licensePort = await freePort();
  host = await startHost([...(await demoHostArgs(data.dir, licensePort)), '--client-heartbeat', '1000']);
  browser = await launchBrowser();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(host.signInUrl);
});

afterAll(async () => {
  for (const child of children) await child.stop();
  await context?.close();
  await browser?.close();
  await host?.stop();
  data?.remove();
  await removeBundles();
});

describe('admin UI in headless Chromium', () => {
  it('first start serves the signed demo license and shows this server as MASTER', async () => {
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('MASTER');
    for (const feature of ['demo_modeler', 'demo_analyzer', 'demo_reporter']) {
      await page.getByTestId(`feature-${feature}`).waitFor();
    }
    expect(await page.getByTestId('feature-demo_modeler').textContent()).toContain('5');
    await screenshot('status');
  });

  it('shows a user checked out from the CLI without a reload, and removes it', async () => {
    const checkout = await runTriad(['checkout', 'demo_modeler', '-c', `${licensePort}@127.0.0.1`, '--user', 'e2euser', '--hold', '60']);
    children.push(checkout);
    await checkout.waitFor(/^GRANTED:/m);
    const row = page.getByTestId('user-e2euser');
    await row.waitFor();
    expect(await row.textContent()).toContain('demo_modeler');
    await screenshot('status-with-user');

    await page.getByRole('button', { name: 'Remove e2euser from demo_modeler' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toContain('e2euser');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('Nobody holds a license right now.').waitFor();
    await checkout.stop();
  });

  it('refuses a broken license file with line-numbered errors and keeps the old one, then imports a good one', async () => {
    await go('License files');
    const current = page.getByTestId('current-license-text');
    await current.waitFor();
    const before = await current.inputValue();
    expect(before).toContain('demo_modeler');

    const broken = [
      `SERVER 127.0.0.1 ANY ${licensePort}`,
      'VENDOR demo',
      'FEATURE demo_modeler demo 1.0 31-feb-2027 5',
      'FEATURE demo_other nosuchvendor 1.0 permanent -3',
      '',
    ].join('\n');
    await chooseFile('license-file-input', 'broken.lic', broken);
    const report = page.getByTestId('check-report');
    await report.waitFor();
    await page.getByText('Not imported').waitFor();
    const reportText = (await report.textContent()) ?? '';
    expect(reportText).toMatch(/broken\.lic:3:\d+: error:/);
    expect(reportText).toMatch(/broken\.lic:4:\d+: error:/);
    expect(reportText).toContain('hint:');
    expect(await page.getByRole('button', { name: 'Import and replace the current file' }).count()).toBe(0);
    expect(await current.inputValue()).toBe(before);
    await screenshot('licenses-broken');

    const good = await demoSignedLicense([
      'FEATURE demo_modeler demo 1.0 permanent 7',
      'FEATURE demo_analyzer demo 2.0 permanent 3',
      'FEATURE demo_reporter demo 1.0 permanent 2',
    ]);
    await chooseFile('license-file-input', 'new.lic', good);
    await page.getByRole('button', { name: 'Import and replace the current file' }).click();
    await page.getByText('Imported new.lic').waitFor();
    await expect.poll(() => current.inputValue()).toContain('permanent 7');
    await screenshot('licenses-imported');

    await go('Server status');
    await expect.poll(async () => (await page.getByTestId('feature-demo_modeler').textContent()) ?? '').toContain('7');
  });

  it('edits the client search order like the License Key Administrator dialog, then verifies it', async () => {
    await go('Client/Server Configuration');
    // Redundant entry with primary, secondary, tertiary (nobody listens there).
    const deadPort = await freePort();
    await page.getByRole('button', { name: 'Add Server…' }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Redundant' }).check();
    for (const [role, hostName] of [['primary', '127.0.0.2'], ['secondary', '127.0.0.3'], ['tertiary', '127.0.0.4']] as const) {
      await dialog.getByTestId(`add-${role}-host`).fill(hostName);
      await dialog.getByTestId(`add-${role}-port`).fill(String(deadPort));
    }
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Single entry: this machine's server.
    await page.getByRole('button', { name: 'Add Server…' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByTestId('add-single-host').fill('localhost');
    await dialog.getByTestId('add-single-port').fill(String(licensePort));
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });

    const options = page.getByRole('option');
    await expect.poll(() => options.count()).toBe(2);
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');

    // Move the single server first.
    await page.getByRole('button', { name: 'Move Up' }).click();
    await expect.poll(() => options.nth(0).textContent()).toContain(`${licensePort}@localhost`);

    // Rename it through the Settings box: its Server Name is the host.
    await page.getByTestId('settings-single-host').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => options.nth(0).textContent()).toContain(`${licensePort}@127.0.0.1`);

    // Rename the redundant entry.
    await options.nth(1).click();
    await page.getByTestId('settings-name').fill('Production triad');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => options.nth(1).textContent()).toContain('Production triad');

    await page.getByRole('button', { name: 'Verify' }).click();
    const results = page.getByTestId('verify-results');
    await results.waitFor();
    const rows = results.getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    const single = (await rows.nth(1).textContent()) ?? '';
    expect(single).toContain('yes');
    expect(single).toContain('demo_modeler v1.0: 0 of 7 in use');
    expect((await rows.nth(2).textContent()) ?? '').toContain('no:');

    await page.getByRole('button', { name: 'Export' }).click();
    const exported = await page.getByTestId('path-export').inputValue();
    expect(exported).toBe(`${licensePort}@127.0.0.1;${deadPort}@127.0.0.2,${deadPort}@127.0.0.3,${deadPort}@127.0.0.4`);
    await screenshot('client-config');
  });

  it('exports the debug log as FlexLM lines', async () => {
    await go('Debug log');
    const lines = page.getByTestId('log-lines');
    await lines.waitFor();
    expect(await lines.textContent()).toContain('OUT: "demo_modeler" e2euser@');
    await screenshot('debug-log');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export to file…' }).click();
    const file = await (await download).path();
    const text = readFileSync(file, 'utf8');
    const exportedLines = text.trimEnd().split('\n');
    expect(exportedLines.length).toBeGreaterThan(3);
    for (const line of exportedLines) expect(line).toMatch(debugLogLinePattern);
    expect(exportedLines[0]).toMatch(/\(lmgrd\) TIMESTAMP \d{1,2}\/\d{1,2}\/\d{4}$/);
    expect(text).toContain('lmgrd tcp-port');
    expect(text).toMatch(/OUT: "demo_modeler" e2euser@\S+/);
    expect(text).toMatch(/IN: "demo_modeler" e2euser@\S+ {2}\(REMOVED\)/);
  });

  it('charts usage with peaks from the report log', async () => {
    await go('Usage');
    await page.getByTestId('usage-chart').waitFor();
    const peaks = page.getByRole('table', { name: 'Peak usage' });
    await expect.poll(async () => (await peaks.textContent()) ?? '').toContain('demo_modeler');
    expect(await peaks.getByRole('row').filter({ hasText: 'demo_modeler' }).getByRole('cell').nth(1).textContent()).toBe('1');
    await screenshot('usage');
  });

  it('stops the local server after asking, and starts it again', async () => {
    await go('Server status');
    await page.getByRole('button', { name: 'Stop this server' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('stopped');
    const probe = await runTriad(['lmstat', '-c', `${licensePort}@127.0.0.1`]);
    expect(await probe.exited).toBe(1);
    await page.getByRole('button', { name: 'Start server' }).click();
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('MASTER');
    await page.getByTestId('feature-demo_modeler').waitFor();
  });

  it('a browser without the session cookie gets the sign-in page, and the pasted token lets it in', async () => {
    await context.clearCookies();
    await page.goto(host.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not the admin token');
    await screenshot('sign-in');
    await page.getByLabel('Admin token').fill(host.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('MASTER');
  });

  it('signing out ends the session: the admin UI is behind the sign-in page again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.goto(host.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    // the printed link (token in its #fragment) signs in again, and leaves no token in the address
    await page.goto(host.signInUrl);
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('MASTER');
    expect(page.url()).not.toContain(host.token);
  });
});

