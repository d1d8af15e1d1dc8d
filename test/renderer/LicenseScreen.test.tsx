import './noWebAnimations';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { LicenseCheckReport, LicenseFileInfo, LicenseSet } from '../../src/shared/contract';
import { LicenseScreen } from '../../src/renderer/src/screens/LicenseScreen';
import { createFakeTransport, triadStatus, type Handlers } from './fakeTransport';
import { renderScreen } from './renderScreen';

afterEach(cleanup);

const text = 'SERVER apple ANY 27000\nVENDOR ibmratl\nFEATURE compiler ibmratl 1.0 permanent 5 SIGN="ab"\n';

function report(fileName: string, over: Partial<LicenseCheckReport> = {}): LicenseCheckReport {
  return {
    fileName,
    servers: [{ host: 'apple', hostid: 'ANY', port: 27000, role: 'single' }],
    vendors: [{ name: 'ibmratl', port: null, options: null }],
    features: [{ name: 'compiler', vendor: 'ibmratl', version: '1.0', expiry: 'permanent', count: 5, signature: 'valid', line: 3 }],
    upgrades: [],
    packages: [],
    errors: [],
    warnings: [],
    ...over,
  };
}

const info = (fileName: string, body = text, over: Partial<LicenseFileInfo> = {}): LicenseFileInfo => ({
  fileName,
  path: `/data/licenses/${fileName}`,
  text: body,
  hash: 'ab'.repeat(32),
  modifiedAt: 0,
  report: report(fileName),
  ...over,
});
const set = (...files: LicenseFileInfo[]): LicenseSet => ({ location: '/data/licenses', files });

/** A server with `files`, a single server's status unless given, no keys. */
function fakeServer(files: LicenseFileInfo[], handlers: Handlers = {}) {
  return createFakeTransport({
    'license.list': () => set(...files),
    'keys.list': () => [],
    'status.get': () => triadStatus({ mode: 'single', members: [] }),
    ...handlers,
  });
}

const file = (name: string, body: string) => new File([body], name, { type: 'text/plain' });
const dialog = () => screen.findByRole('alertdialog', { hidden: true });

describe('License files screen', () => {
  it('lists errors with line numbers and hints, and offers no import, for a broken file', async () => {
    const fake = fakeServer([info('license.lic')], {
      'license.check': ({ fileName }) =>
        report(fileName, { errors: [{ severity: 'error', line: 4, column: 9, message: 'impossible date 31-feb-2027', hint: 'use a real calendar date' }] }),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('broken.lic', 'FEATURE x'));
    expect((await screen.findByText(/broken\.lic:4:9: error: impossible date/)).textContent).toBe('broken.lic:4:9: error: impossible date 31-feb-2027');
    expect(screen.getByText('hint: use a real calendar date')).toBeTruthy();
    expect(screen.getByText('Not imported')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Import and replace the current file' })).toBeNull();
    expect(fake.callsOf('license.import')).toHaveLength(0);
    expect((screen.getByTestId('current-license-text') as HTMLTextAreaElement).value).toBe(text);
  });

  it('shows a mistyped keyword and a triad file for other machines as errors the admin sees', async () => {
    const fake = fakeServer([info('license.lic')], {
      'license.check': ({ fileName }) =>
        report(fileName, {
          errors: [
            {
              severity: 'error',
              line: 1,
              column: 1,
              message: 'none of the three SERVER lines (a, b, c) is this machine (apple)',
              hint: 'import the file on the three machines',
            },
            {
              severity: 'error',
              line: 5,
              column: 1,
              message: '"FEATUR" is not a license-file keyword (FEATURE mistyped?); the line is not read',
              hint: 'write FEATURE',
            },
          ],
        }),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('triad.lic', 'x'));
    expect(await screen.findByText('2 errors in triad.lic')).toBeTruthy();
    expect(screen.getByText(/triad\.lic:1:1: error: none of the three SERVER lines/)).toBeTruthy();
    expect(screen.getByText(/triad\.lic:5:1: error: "FEATUR" is not a license-file keyword/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Import and replace the current file' })).toBeNull();
  });

  it('imports a good file only after the check, then shows the files served', async () => {
    const next = text.replace('5', '7');
    let served = [info('license.lic')];
    const fake = fakeServer([], {
      'license.list': () => set(...served),
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName }) => {
        served = [info('license.lic', next)];
        return {
          imported: true,
          distributed: false,
          savedAs: 'license.lic',
          report: report(fileName),
          outcome: { state: 'served' as const, message: `Imported ${fileName}. The server now serves 1 feature: compiler.` },
        };
      },
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('good.lic', next));
    await userEvent.click(await screen.findByRole('button', { name: 'Import and replace the current file' }));
    await waitFor(() => expect((screen.getByTestId('current-license-text') as HTMLTextAreaElement).value).toBe(next));
    expect(fake.callsOf('license.import')).toEqual([{ fileName: 'good.lic', text: next, add: false }]);
    expect(screen.getByText('Imported good.lic. The server now serves 1 feature: compiler. It is saved as license.lic.')).toBeTruthy();
  });

  it('says so when an imported file serves nothing, instead of claiming it is served', async () => {
    const message = 'Imported untrusted.lic, but no feature of it is served: no trusted key for ibmratl.';
    const fake = fakeServer([info('license.lic')], {
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName }) => ({
        imported: true,
        distributed: false,
        savedAs: fileName,
        report: report(fileName),
        outcome: { state: 'nothing-served', message },
      }),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('untrusted.lic', text));
    await userEvent.click(await screen.findByRole('button', { name: 'Import and replace the current file' }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.queryByText(/now serves/)).toBeNull();
  });

  it('shows license text in a monospace font', async () => {
    renderScreen(fakeServer([info('license.lic')]), <LicenseScreen />);
    const area = (await screen.findByTestId('current-license-text')) as HTMLTextAreaElement;
    expect(area.tagName).toBe('TEXTAREA');
    expect(area.style.fontFamily).toMatch(/monospace/);
  });

  it('several license files: lists each with its check, adds one beside the others, removes one after asking', async () => {
    let served = [
      info('rational_server_perm.lic'),
      info('rational_server_temp.lic', text, {
        report: report('rational_server_temp.lic', { warnings: [{ severity: 'warning', line: 3, column: 1, message: 'expires in 10 days', hint: null }] }),
      }),
    ];
    const fake = fakeServer([], {
      'license.list': () => set(...served),
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName }) => {
        served = [...served, info('extra.lic')];
        return {
          imported: true,
          distributed: false,
          savedAs: 'extra.lic',
          report: report(fileName),
          outcome: { state: 'served' as const, message: `Imported ${fileName}. The server now serves 1 feature: compiler.` },
        };
      },
      'license.remove': ({ fileName }) => set(...(served = served.filter((f) => f.fileName !== fileName))),
    });
    renderScreen(fake, <LicenseScreen />);
    const table = await screen.findByTestId('license-files');
    expect(within(table).getByTestId('license-file-rational_server_perm.lic').textContent).toContain('ok');
    expect(within(table).getByTestId('license-file-rational_server_temp.lic').textContent).toContain('1 warning');

    await userEvent.click(screen.getByRole('radio', { name: /Beside the current files/ }));
    await userEvent.upload(screen.getByTestId('license-file-input'), file('extra.dat', text));
    await waitFor(() => expect(fake.callsOf('license.check')).toEqual([{ fileName: 'extra.dat', text, add: true }]));
    await userEvent.click(await screen.findByRole('button', { name: 'Add beside the current files' }));
    expect(await screen.findByText('Imported extra.dat. The server now serves 1 feature: compiler. It is saved as extra.lic.')).toBeTruthy();
    expect(fake.callsOf('license.import')).toEqual([{ fileName: 'extra.dat', text, add: true }]);
    await screen.findByTestId('license-file-extra.lic');

    await userEvent.click(screen.getByRole('button', { name: 'Remove rational_server_temp.lic' }));
    const asked = await dialog();
    expect(asked.textContent).toContain('stop being served at once');
    expect(fake.callsOf('license.remove')).toHaveLength(0);
    await userEvent.click(within(asked).getByRole('button', { name: 'Remove', hidden: true }));
    await waitFor(() => expect(screen.queryByTestId('license-file-rational_server_temp.lic')).toBeNull());
    expect(fake.callsOf('license.remove')).toEqual([{ fileName: 'rational_server_temp.lic' }]);
    expect(await screen.findByText(/Removed rational_server_temp\.lic: its features are no longer served/)).toBeTruthy();
  });

  it('the only license file cannot be removed', async () => {
    renderScreen(fakeServer([info('license.lic')]), <LicenseScreen />);
    expect((await screen.findByRole('button', { name: 'Remove license.lic' })).hasAttribute('disabled')).toBe(true);
  });

  it('lines whose vendor key is not trusted are "not served: vendor key not trusted", and the fix is Trusted vendor keys here', async () => {
    const unsigned = report('new.lic', {
      features: [{ name: 'compiler', vendor: 'ibmratl', version: '1.0', expiry: 'permanent', count: 5, signature: 'unverified', line: 3 }],
    });
    renderScreen(fakeServer([info('license.lic')], { 'license.check': () => unsigned }), <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('new.lic', text));
    expect(await screen.findByText('Not served: vendor key not trusted')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Features in the file' })).getByText('not served: vendor key not trusted')).toBeTruthy();
    expect(screen.queryByText('new.lic has no errors.')).toBeNull();
    expect(screen.getByText('new.lic has no errors, but 1 of its 1 feature lines would not be served.')).toBeTruthy();
    expect(screen.queryByText(/--trust/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: "Trust ibmratl's key…" }));
    const vendor = screen.getByRole('textbox', { name: 'Vendor' }) as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(vendor));
    expect(vendor.value).toBe('ibmratl');
  });

  it('a served file with lines of an untrusted vendor says so, with the fix on this screen', async () => {
    const untrusted = info('term.lic', text, {
      report: report('term.lic', {
        features: [{ name: 'compiler', vendor: 'ibmratl', version: '1.0', expiry: 'permanent', count: 5, signature: 'unverified', line: 3 }],
      }),
    });
    renderScreen(fakeServer([info('license.lic'), untrusted]), <LicenseScreen />);
    expect((await screen.findByTestId('license-file-term.lic')).textContent).toContain('1 not served: vendor key not trusted');
    expect(screen.getByTestId('served-untrusted').textContent).toContain('Lines of ibmratl in these files are not served');
    await userEvent.click(within(screen.getByTestId('served-untrusted')).getByRole('button', { name: "Trust ibmratl's key…" }));
    await waitFor(() => expect((screen.getByRole('textbox', { name: 'Vendor' }) as HTMLInputElement).value).toBe('ibmratl'));
  });

  it('on a triad master, distributes the file to all three by default', async () => {
    const fake = fakeServer([info('license.lic')], {
      'status.get': () => triadStatus(),
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName, distribute }) => ({
        imported: true,
        distributed: distribute === true,
        report: report(fileName),
        outcome: { state: 'served', message: `Imported ${fileName}. The server now serves 1 feature: compiler.` },
      }),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('rekey.lic', text));
    const box = await screen.findByRole('checkbox', { name: /Distribute to all three redundant servers/ });
    expect((box as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Import and replace the current file' }));
    expect(await screen.findByText('Imported rekey.lic. The server now serves 1 feature: compiler. All three redundant servers switched to it.')).toBeTruthy();
    expect(fake.callsOf('license.import')).toEqual([{ fileName: 'rekey.lic', text, add: false, distribute: true }]);
  });

  it('on a triad standby, says to import on the master instead of offering distribution', async () => {
    const fake = fakeServer([info('license.lic')], {
      'status.get': () => triadStatus({ role: 'standby', host: 'orange' }),
      'license.check': ({ fileName }) => report(fileName),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('rekey.lic', text));
    expect(await screen.findByText(/import this file on the master \(apple\)/)).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: /Distribute/ })).toBeNull();
  });

  it('accepts a dropped file', async () => {
    const fake = fakeServer([], { 'license.check': ({ fileName }) => report(fileName) });
    renderScreen(fake, <LicenseScreen />);
    expect(await screen.findByText('No license file yet. Import one below.')).toBeTruthy();
    const drop = new Event('drop', { bubbles: true }) as Event & { dataTransfer: unknown };
    drop.dataTransfer = { files: [file('dropped.lic', 'VENDOR ibmratl\n')] };
    screen.getByTestId('license-file-drop').dispatchEvent(drop);
    await waitFor(() => expect(fake.callsOf('license.check')).toEqual([{ fileName: 'dropped.lic', text: 'VENDOR ibmratl\n', add: false }]));
  });

  it('manages trusted vendor keys and shows refusals', async () => {
    const key = { vendor: 'ibmratl', publicKey: 'PEM', fingerprint: '0123456789abcdef', addedAt: 0 };
    const fake = fakeServer([info('license.lic')], {
      'keys.add': ({ publicKey }) => (publicKey.includes('PRIVATE') ? { code: 'bad-request', message: 'That is a private key (NAME.key).' } : [key]),
    });
    renderScreen(fake, <LicenseScreen />);
    expect(await screen.findByText(/No trusted keys/)).toBeTruthy();
    await userEvent.type(screen.getByRole('textbox', { name: 'Vendor' }), 'ibmratl');
    const pem = screen.getByRole('textbox', { name: /Public key/ });
    await userEvent.type(pem, 'PRIVATE');
    await userEvent.click(screen.getByRole('button', { name: 'Trust this key' }));
    expect((await screen.findByRole('alert')).textContent).toContain('private key');
    await userEvent.clear(pem);
    await userEvent.type(pem, 'PUBLIC');
    await userEvent.click(screen.getByRole('button', { name: 'Trust this key' }));
    expect(await screen.findByText('0123456789abcdef')).toBeTruthy();
  });
});

describe('seats in use at import', () => {
  it('warns when the new file serves fewer seats than are in use, asks before importing it, and not when it serves enough', async () => {
    const fake = fakeServer([info('license.lic')], {
      'license.check': ({ fileName }) => (fileName === 'fewer.lic' ? { ...report(fileName), features: [] } : report(fileName)),
      'license.import': ({ fileName }) => ({ imported: true, distributed: false, savedAs: 'license.lic', report: report(fileName), outcome: null }),
    });
    renderScreen(fake, <LicenseScreen />);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('fewer.lic', 'VENDOR ibmratl'));
    const warning = await screen.findByText(/serves fewer seats than are in use now/);
    expect(warning.textContent).toContain('compiler (1 in use, not in the file)');
    const importButton = screen.getByRole('button', { name: 'Import and replace the current file' });
    expect(importButton.getAttribute('data-danger')).toBe('true');
    await userEvent.click(importButton);
    const asked = await dialog();
    expect(asked.textContent).toContain('compiler: 1 in use, 0 in fewer.lic');
    await userEvent.click(within(asked).getByRole('button', { name: 'Cancel', hidden: true }));
    expect(fake.callsOf('license.import')).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Import and replace the current file', hidden: true }));
    await userEvent.click(within(await dialog()).getByRole('button', { name: 'Import anyway', hidden: true }));
    await waitFor(() => expect(fake.callsOf('license.import')).toHaveLength(1));

    await userEvent.upload(screen.getByTestId('license-file-input'), file('same.lic', 'FEATURE compiler'));
    await screen.findByText('same.lic has no errors.');
    expect(screen.queryByText(/serves fewer seats than are in use now/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Import and replace the current file' }).getAttribute('data-danger')).toBeNull();
  });
});

describe('trusted vendor keys', () => {
  it('asks before it stops trusting a key, and removes it only when confirmed', async () => {
    const key = { vendor: 'demo', publicKey: 'PEM', addedAt: 0, fingerprint: 'SHA256:abc' };
    let trusted = [key];
    const fake = fakeServer([info('license.lic')], { 'keys.list': () => trusted, 'keys.remove': () => (trusted = []) });
    renderScreen(fake, <LicenseScreen />);
    // hidden: a closing Fluent dialog may still mark the page aria-hidden in happy-dom
    await userEvent.click(await screen.findByRole('button', { name: 'Remove key SHA256:abc of demo' }));
    const asked = await dialog();
    expect(asked.textContent).toContain('stop being served at once');
    await userEvent.click(within(asked).getByRole('button', { name: 'Cancel', hidden: true }));
    expect(fake.callsOf('keys.remove')).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Remove key SHA256:abc of demo', hidden: true }));
    await userEvent.click(within(await dialog()).getByRole('button', { name: 'Stop trusting', hidden: true }));
    await waitFor(() => expect(fake.callsOf('keys.remove')).toEqual([{ vendor: 'demo', fingerprint: 'SHA256:abc' }]));
    expect(await screen.findByText(/No trusted keys: no signed feature is served/)).toBeTruthy();
  });
});
