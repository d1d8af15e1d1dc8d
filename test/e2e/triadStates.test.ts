/**
 * The admin UI in every triad state, as an administrator sees it in Chromium: three headless
 * hosts (real servers, real stores) on 127.0.0.1-3 share one triad through the whole file, and a
 * fourth on 127.0.0.4 serves a triad file with 60-character host names that never forms a quorum.
 * In each state the visible text says what is true, at 1280x800 and at 800x600, and no element
 * of the main panel leaves it. Screenshots go to test-results/; with TRIAD_UPDATE_DOCS=1 the
 * README's three go to docs/screenshots/ too. Needs `npm run build` (the renderer).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeBundles, runTriad, startHost, tempDir, type Child, type HostProcess } from './hostProcess';
import { launchBrowser } from '../support/browser';
import { layoutProblems } from './layoutCheck';

const resultsDir = path.resolve(import.meta.dirname, '../../test-results');
const docsDir = path.resolve(import.meta.dirname, '../../docs/screenshots');
const viewports = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
];
const members = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
/** Host names of 60 characters, on the SERVER lines of the fourth host's file. */
const longHosts = ['primary', 'secondary', 'tertiary'].map((rank) =>
  `licsrv-${rank}-east-datacenter-rack12.engineering.corp.example`.padEnd(60, 'x').slice(0, 60),
);

let work: ReturnType<typeof tempDir>;
let browser: Browser;
let port: number;
let longPort: number;
const hosts: HostProcess[] = [];
let longHost: HostProcess;
const children: Child[] = [];
const pages = new Map<HostProcess, Page>();

/** The admin API of a host, as a script calls it (Bearer token). */
async function api<T = unknown>(host: HostProcess, method: string, args: unknown = {}): Promise<T> {
  const response = await fetch(`${host.url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
    body: JSON.stringify(args),
  });
  const result = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!result.ok) throw new Error(`${method}: ${result.error?.message}`);
  return result.value as T;
}

/** A license signed with the first host's demo key (vendor demo), which all four then trust. */
async function signedLicense(name: string, servers: string[], serverPort: number, seats: { modeler: number; analyzer: number }): Promise<string> {
  const file = path.join(work.dir, name);
  writeFileSync(
    file,
    [
      ...servers.map((host) => `SERVER ${host} ANY ${serverPort}`),
      'VENDOR demo',
      `FEATURE modeler demo 1.0 permanent ${seats.modeler}`,
      `FEATURE analyzer demo 1.0 permanent ${seats.analyzer}`,
      '',
    ].join('\n'),
  );
  const sign = await runTriad(['keys', 'sign', file, '--key', path.join(work.dir, 'data-127.0.0.1', 'demo.key')]);
  expect(await sign.exited).toBe(0);
  return readFileSync(file, 'utf8');
}

/** A headless host for one member; it starts serving its first-run demo license. */
async function startMember(address: string, as: string, licensePort: number): Promise<HostProcess> {
  const running = await launchMember(address, as, licensePort);
  hosts.push(running);
  return running;
}

async function launchMember(address: string, as: string, licensePort: number): Promise<HostProcess> {
  // long folder names: the license paths on the screens are long too
  const dataDir = path.join(work.dir, address === '127.0.0.4' ? 'data-of-the-fourth-server-whose-folder-name-is-long-as-on-real-servers' : `data-${address}`);
  return startHost([
    '--listen',
    `127.0.0.1:${await freePort()}`,
    '--data',
    dataDir,
    '--as',
    as,
    '--hostid',
    'ANY',
    '--port',
    String(licensePort),
    '--bind',
    address,
    '--demo-host',
    as,
    '--client-heartbeat',
    '1000',
  ]);
}

/** Trusts the signing key, then serves `license` from a stopped server (it starts as a triad member). */
async function serveTriadFile(host: HostProcess, license: string): Promise<void> {
  await api(host, 'keys.add', { vendor: 'demo', publicKey: readFileSync(path.join(work.dir, 'data-127.0.0.1', 'demo.pub'), 'utf8') });
  await api(host, 'server.stop');
  await api(host, 'license.import', { fileName: 'triad.lic', text: license });
}

async function pageOf(host: HostProcess): Promise<Page> {
  let page = pages.get(host);
  if (!page) {
    const context = await browser.newContext({ viewport: viewports[0], acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(host.signInUrl);
    pages.set(host, page);
  }
  return page;
}

async function go(page: Page, screen: string) {
  await page.goto(`${new URL(page.url()).origin}/#/${screen}`);
  await page.locator('main h2').first().waitFor();
}

const text = (page: Page, testId: string) => page.getByTestId(testId).first().innerText();

/**
 * At each window size: `expectations` hold, nothing leaves the main panel, and a screenshot
 * is kept (also in docs/ for the README when asked).
 */
async function atEverySize(page: Page, name: string, expectations: () => Promise<void>, docName?: string) {
  for (const viewport of viewports) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150); // the sidebar and the chart settle after a resize
    await expectations();
    expect(await layoutProblems(page), `${name} at ${viewport.width}x${viewport.height}`).toEqual([]);
    const file = path.join(resultsDir, `triad-${name}-${viewport.width}x${viewport.height}.png`);
    // from the top, where the sticky sidebar sits in a whole-page picture
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file, fullPage: true });
    if (docName && viewport.width === 1280 && process.env.TRIAD_UPDATE_DOCS === '1') {
      mkdirSync(docsDir, { recursive: true });
      copyFileSync(file, path.join(docsDir, `${docName}.png`));
    }
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  work = tempDir('triad-e2e-states-');
  port = await freePort();
  longPort = await freePort();
  // the three members prove to each other that they belong together (README step 3)
  const [first, ...others] = members.map((address) => path.join(work.dir, `data-${address}`));
  expect(await (await runTriad(['cluster-secret', '--new', '--data', first!])).exited).toBe(0);
  for (const dataDir of others) {
    expect(await (await runTriad(['cluster-secret', '--import', path.join(first!, 'cluster.secret'), '--data', dataDir])).exited).toBe(0);
  }
  // started together, kept in rank order: hosts[0] is the primary, 127.0.0.1
  const [browserStarted, ...started] = (await Promise.all([launchBrowser(), ...members.map((address) => launchMember(address, address, port))])) as [
    Browser,
    ...HostProcess[],
  ];
  browser = browserStarted;
  hosts.push(...started);
  longHost = await startMember('127.0.0.4', longHosts[0]!, longPort);
  const triadFile = await signedLicense('triad.lic', members, port, { modeler: 5, analyzer: 2 });
  for (const host of hosts.slice(0, 3)) await serveTriadFile(host, triadFile);
  await serveTriadFile(longHost, await signedLicense('long.lic', longHosts, longPort, { modeler: 5, analyzer: 2 }));
  await eventually(
    async () =>
      (await api<{ role: string }>(hosts[0]!, 'status.get')).role === 'master' && (await api<{ role: string }>(hosts[2]!, 'status.get')).role === 'standby',
  );
  // seats out: two of modeler, both of analyzer (at its limit), through the triad as clients use it
  const spec = members.map((m) => `${port}@${m}`).join(',');
  for (const [feature, user] of [['modeler', 'ann'], ['modeler', 'bob'], ['analyzer', 'cy'], ['analyzer', 'dee']] as const) {
    const checkout = await runTriad(['checkout', feature, '-c', spec, '--user', user, '--hold', '600']);
    children.push(checkout);
    await checkout.waitFor(/^GRANTED:/m);
  }
}, 120_000);

afterAll(async () => {
  for (const child of children) await child.stop();
  await browser?.close();
  for (const host of hosts) await host.stop();
  work?.remove();
  await removeBundles();
});

describe('the layout check', () => {
  it('has teeth: it finds an element outside the panel, text cut off, and words broken mid-word', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    try {
      await page.setContent(
        '<main class="content" style="width: 300px"><div style="width: 500px">wide</div><p style="overflow: hidden; white-space: nowrap; width: ' +
          '50px">a line far too long for its box</p><p style="word-break: break-all">x</p></main>',
      );
      const problems = await layoutProblems(page);
      expect(problems.some((p) => p.startsWith('outside the panel by 200px'))).toBe(true);
      expect(problems.some((p) => p.startsWith('cut off'))).toBe(true);
      expect(problems.some((p) => p.startsWith('breaks words mid-word'))).toBe(true);
      expect(problems.some((p) => p.startsWith('the main panel scrolls sideways'))).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('the admin UI in every triad state', () => {
  it('the master: the triad picture, users under each feature, a feature at its limit', async () => {
    const page = await pageOf(hosts[0]!);
    await go(page, 'status');
    await atEverySize(
      page,
      'master',
      async () => {
        await expect.poll(() => text(page, 'role')).toBe('MASTER');
        await expect.poll(() => page.title()).toBe('MASTER — 127.0.0.1');
        expect(await text(page, 'users-of-analyzer')).toContain('Users of analyzer: (Total of 2 licenses issued; Total of 2 licenses in use)');
        expect(await text(page, 'users-of-analyzer')).toContain('at limit');
        expect(await text(page, 'members-table')).toMatch(/127\.0\.0\.2 \(secondary\)\s+UP/);
      },
      'status-triad',
    );
  });

  it('a standby with seats out shows them, from the master', async () => {
    const page = await pageOf(hosts[1]!);
    await go(page, 'status');
    await atEverySize(page, 'standby-with-seats', async () => {
      await expect.poll(() => text(page, 'role')).toBe('standby (master is 127.0.0.1)');
      expect(await page.title()).toBe('STANDBY — 127.0.0.2');
      expect(await text(page, 'seats-from')).toContain("The seats in use shown here are the master's, replicated to this server.");
      await expect.poll(() => text(page, 'feature-modeler')).toMatch(/\b5\s+2\s+yes/);
      expect(await text(page, 'users-of-modeler')).toMatch(/ann[\s\S]*bob/);
      expect(await page.getByText('Nobody holds a license right now.').count()).toBe(0);
    });
  });

  it("Collect diagnostics on a standby: one zip with all three members' status and the master's debug log", async () => {
    const page = await pageOf(hosts[1]!);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Collect diagnostics' }).click();
    const file = await (await download).path();
    const said = await page.getByRole('status').filter({ hasText: 'Diagnostics saved on the server' }).innerText();
    expect(said).toContain(path.join('data-127.0.0.2', 'diagnostics', 'triad-diag-127.0.0.2-'));
    const files = new Map(Object.entries(unzipSync(readFileSync(file))).map(([name, data]) => [name.replace(/^[^/]+\//, ''), strFromU8(data)]));
    for (const member of members) expect(files.has(`status/${port}@${member}.json`), member).toBe(true);
    expect(files.get('debug-log.txt')).toContain('Redundant server quorum established. Master is 127.0.0.1');
    expect(files.get('README.txt')).toContain('debug-log.txt             the most recent debug-log lines of the master, 127.0.0.1');
    expect(files.get('lmstat-a.txt')).toContain('127.0.0.1: license server UP (MASTER)');
    expect([...files.values()].some((text) => text.includes(hosts[1]!.token))).toBe(false);
  });

  it('Usage: the time axis stays readable in a narrow window', async () => {
    const page = await pageOf(hosts[0]!);
    await go(page, 'usage');
    await page.getByTestId('usage-chart').locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').first().waitFor({ state: 'attached' });
    await atEverySize(page, 'usage', async () => {
      const ticks = await page
        .locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')
        .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect()).map((r) => [r.left, r.right]));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]![0]!, 'tick labels overlap').toBeGreaterThan(ticks[i - 1]![1]!);
      expect(await page.getByTestId('usage-by-user').innerText()).toMatch(/ann\s+modeler\s+1/);
    });
  });

  it('Client/Server Configuration: Verify shows each member of the triad; a 60-character host name fits', async () => {
    const page = await pageOf(hosts[0]!);
    await go(page, 'client');
    // the box follows the stored setting, which changes when the server has saved it
    const use = page.getByRole('checkbox', { name: 'Use license server' });
    await use.click();
    await expect.poll(() => use.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Add Server…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Redundant' }).check();
    for (const [i, role] of ['primary', 'secondary', 'tertiary'].entries()) {
      await dialog.getByTestId(`add-${role}-host`).fill(members[i]!);
      await dialog.getByTestId(`add-${role}-port`).fill(String(port));
    }
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add Server…' }).click();
    await dialog.getByTestId('add-single-host').fill(longHosts[1]!);
    await dialog.getByTestId('add-single-port').fill(String(await freePort()));
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('option').first().click();
    await page.getByRole('button', { name: 'Verify' }).click();
    const verify = page.getByTestId('verify-results');
    await verify.waitFor();
    await atEverySize(
      page,
      'client-configuration',
      async () => {
        const rows = verify.getByRole('row');
        const triadRow = await rows.nth(1).innerText();
        expect(triadRow).toContain(`primary ${port}@127.0.0.1: up, MASTER`);
        expect(triadRow).toMatch(new RegExp(`secondary ${port}@127\\.0\\.0\\.2: up, [\\d.]+ ms`));
        expect(triadRow).toContain('modeler v1.0: 2 of 5 in use');
        expect(await rows.nth(2).innerText()).toContain('no: the server did not answer');
      },
      'client-configuration',
    );
    // the UNIX export is reached with the keyboard alone
    await page.getByRole('radio', { name: 'Windows (;)' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'UNIX (:)' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('path-export').inputValue()).toContain(`${port}@127.0.0.1,${port}@127.0.0.2,${port}@127.0.0.3:`);
  });

  it('re-key: a file imported on the master reaches all three, and the standby shows the new counts', async () => {
    const page = await pageOf(hosts[0]!);
    await go(page, 'licenses');
    const rekey = await signedLicense('rekey.lic', members, port, { modeler: 7, analyzer: 2 });
    await page.getByTestId('license-file-input').setInputFiles({ name: 'rekey.lic', mimeType: 'text/plain', buffer: Buffer.from(rekey) });
    expect(await page.getByRole('checkbox', { name: /Distribute to all three redundant servers/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Import and replace the current file' }).click();
    await page.getByText(/^Imported rekey\.lic\. The server now serves 2 features: .* It is saved as license\.lic\. All three redundant servers switched to it\.$/).waitFor();
    await atEverySize(
      page,
      'rekey-master-license-files',
      async () => {
        await expect.poll(() => page.getByTestId('current-license-text').inputValue()).toContain('permanent 7');
        expect(await page.getByTestId('license-files').innerText()).toMatch(/license\.lic\s+2\s+ok/);
      },
      'license-files',
    );
    const standby = await pageOf(hosts[1]!);
    await go(standby, 'status');
    await atEverySize(standby, 'rekey-standby', async () => {
      await expect.poll(() => text(standby, 'feature-modeler'), { timeout: 15_000 }).toMatch(/\b7\s+2\s+yes/);
      expect(await text(standby, 'role')).toBe('standby (master is 127.0.0.1)');
    });
  });

  it('failover: the master stops, the secondary serves the same seats', async () => {
    await api(hosts[0]!, 'server.stop');
    const page = await pageOf(hosts[1]!);
    await atEverySize(page, 'failover', async () => {
      await expect.poll(() => text(page, 'role'), { timeout: 15_000 }).toBe('MASTER');
      await expect.poll(() => page.title()).toBe('MASTER — 127.0.0.2');
      expect(await text(page, 'members-table')).toMatch(/127\.0\.0\.1 \(primary\)\s+DOWN/);
      await expect.poll(() => text(page, 'users-of-modeler'), { timeout: 15_000 }).toMatch(/ann[\s\S]*bob/);
      expect(await text(page, 'feature-modeler')).toMatch(/\b7\s+2\s+yes/);
    });
  });

  it('no quorum: one banner says the server is not serving and why; vendors and features agree with lmstat', async () => {
    await api(hosts[2]!, 'server.stop');
    const page = await pageOf(hosts[1]!);
    await atEverySize(page, 'no-quorum', async () => {
      await expect.poll(() => text(page, 'role'), { timeout: 15_000 }).toBe('no quorum');
      expect(await page.getByTestId('not-serving').count()).toBe(1);
      const banner = await text(page, 'not-serving');
      expect(banner).toContain('Not serving licenses');
      expect(banner).toContain('127.0.0.1 (primary)');
      expect(banner).toContain('127.0.0.3 (tertiary)');
      expect(await text(page, 'vendor-demo')).toContain('DOWN: The desired vendor daemon is down');
      expect(await text(page, 'feature-modeler')).toContain('no: no quorum');
      expect(await page.title()).toBe('NO QUORUM — 127.0.0.2');
    });
    const lmstat = await runTriad(['lmstat', '-a', '-c', `${port}@127.0.0.2`]);
    await lmstat.exited;
    expect(lmstat.output()).toContain('demo: The desired vendor daemon is down.');
    expect(lmstat.output()).toMatch(/Users of modeler: {2}\(Error: 7 licenses, unsupported by licensed server\)/);
  });

  it('a stopped server shows its configured address and says the seats come back on Start', async () => {
    const page = await pageOf(hosts[2]!);
    await go(page, 'status');
    await atEverySize(page, 'stopped', async () => {
      await expect.poll(() => text(page, 'role')).toBe('stopped');
      expect(await text(page, 'server-address')).toContain(`${port}@127.0.0.3`);
      expect(await text(page, 'not-serving')).toContain('the seats held come back with it');
      expect(await page.title()).toBe('STOPPED — 127.0.0.3');
      expect(await page.getByRole('button', { name: 'Start server' }).isVisible()).toBe(true);
    });
  });

  it('60-character host names and long paths fit: a member that never reaches its peers', async () => {
    const page = await pageOf(longHost);
    await go(page, 'status');
    await atEverySize(page, 'long-names-no-quorum', async () => {
      await expect.poll(() => text(page, 'role'), { timeout: 15_000 }).toBe('no quorum');
      expect(await text(page, 'server-address')).toContain(`${longPort}@${longHosts[0]}`);
      expect(await text(page, 'not-serving')).toContain(`${longHosts[1]} (secondary)`);
    });
    await go(page, 'licenses');
    await atEverySize(page, 'long-names-license-files', async () => {
      expect(await text(page, 'current-license-path')).toContain('data-of-the-fourth-server-whose-folder-name-is-long');
    });
  });

  it('Replace a server: the dialog names the member replaced and the new machine, then lists what is left on the other two', async () => {
    const page = await pageOf(longHost);
    await go(page, 'status');
    await page.getByRole('button', { name: 'Replace a server…' }).click();
    const dialog = page.getByRole('dialog');
    const newHosts = [longHosts[0]!, longHosts[1]!, 'licsrv-tertiary-west-datacenter-rack07.engineering.corp.example'];
    const replacement = await signedLicense('long-new.lic', newHosts, longPort, { modeler: 5, analyzer: 2 });
    await dialog.getByTestId('replace-license-input').setInputFiles({ name: 'long-new.lic', mimeType: 'text/plain', buffer: Buffer.from(replacement) });
    await atEverySize(page, 'replace-server-dialog', async () => {
      await expect.poll(() => text(page, 'member-line-3')).toContain(`${newHosts[2]} (host id ANY) (new)`);
      expect(await text(page, 'member-line-3')).toContain(`${longHosts[2]} (host id ANY)`);
    });
    await dialog.getByRole('button', { name: /^Replace licsrv-tertiary-east-.* by licsrv-tertiary-west-/ }).click();
    await atEverySize(page, 'replace-server-done', async () => {
      await expect.poll(() => text(page, 'replacement-steps')).toContain(`On ${longHosts[1]}: replace the server there too`);
      expect(await text(page, 'replacement-steps')).toContain(`On ${newHosts[2]}, the new machine:`);
    });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await atEverySize(page, 'replace-server-pending', async () => {
      expect(await text(page, 'pending-replacement')).toContain(`by ${newHosts[2]} (host id ANY)`);
      expect(await text(page, 'pending-replacement')).toContain(`On ${longHosts[1]}: replace the server there too`);
      expect(await text(page, 'server-address')).toContain(`${longPort}@${longHosts[0]}`);
    });
  });
});
