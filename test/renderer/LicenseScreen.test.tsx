import './noWebAnimations';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { LicenseCheckReport } from '../../src/shared/contract';
import { LicenseScreen } from '../../src/renderer/src/screens/LicenseScreen';
import { TransportProvider } from '../../src/renderer/src/useTransport';
import { createFakeTransport, triadStatus } from './fakeTransport';

afterEach(cleanup);

const current = { path: '/data/license.lic', text: 'SERVER apple ANY 27000\nVENDOR ibmratl\n', hash: 'ab'.repeat(32), importedAt: 0 };

function report(fileName: string, errors: LicenseCheckReport['errors'] = []): LicenseCheckReport {
  return {
    fileName,
    servers: [{ host: 'apple', hostid: 'ANY', port: 27000, role: 'single' }],
    vendors: [{ name: 'ibmratl', port: null, options: null }],
    features: [{ name: 'compiler', vendor: 'ibmratl', version: '1.0', expiry: 'permanent', count: 5, signature: 'valid', line: 3 }],
    upgrades: [],
    packages: [],
    errors,
    warnings: [],
  };
}

function renderScreen(fake: ReturnType<typeof createFakeTransport>) {
  return render(
    <TransportProvider transport={fake.transport}>
      <LicenseScreen />
    </TransportProvider>,
  );
}

const file = (name: string, text: string) => new File([text], name, { type: 'text/plain' });

describe('License files screen', () => {
  it('lists errors with line numbers and hints, and offers no import, for a broken file', async () => {
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'license.check': ({ fileName }) =>
        report(fileName, [{ severity: 'error', line: 4, column: 9, message: 'impossible date 31-feb-2027', hint: 'use a real calendar date' }]),
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('broken.lic', 'FEATURE x'));
    expect(await screen.findByText('broken.lic:4:9: error: impossible date 31-feb-2027')).toBeTruthy();
    expect(screen.getByText('hint: use a real calendar date')).toBeTruthy();
    expect(screen.getByText('Not imported')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Import and replace the current file' })).toBeNull();
    expect(fake.callsOf('license.import')).toHaveLength(0);
    expect((screen.getByTestId('current-license-text') as HTMLTextAreaElement).value).toBe(current.text);
  });

  it('imports a good file only after the check, then shows it as current', async () => {
    const next = { ...current, text: 'SERVER apple ANY 27000\nVENDOR ibmratl\nFEATURE compiler ibmratl 1.0 permanent 5\n', importedAt: 1 };
    let served = current;
    const fake = createFakeTransport({
      'license.current': () => served,
      'keys.list': () => [],
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName }) => {
        served = next;
        return {
          imported: true,
          distributed: false,
          report: report(fileName),
          outcome: { state: 'served', message: `Imported ${fileName}. The server now serves 1 feature: compiler.` },
        };
      },
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('good.lic', next.text));
    await userEvent.click(await screen.findByRole('button', { name: 'Import and replace the current file' }));
    await waitFor(() => expect((screen.getByTestId('current-license-text') as HTMLTextAreaElement).value).toBe(next.text));
    expect(fake.callsOf('license.import')).toEqual([{ fileName: 'good.lic', text: next.text }]);
    expect(screen.getByText('Imported good.lic. The server now serves 1 feature: compiler.')).toBeTruthy();
  });

  it('says so when an imported file serves nothing, instead of claiming it is served', async () => {
    const message = 'Imported untrusted.lic, but no feature of it is served: no trusted key for ibmratl.';
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName }) => ({ imported: true, distributed: false, report: report(fileName), outcome: { state: 'nothing-served', message } }),
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('untrusted.lic', current.text));
    await userEvent.click(await screen.findByRole('button', { name: 'Import and replace the current file' }));
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.queryByText(/now serves/)).toBeNull();
  });

  it('on a triad master, distributes the file to all three by default', async () => {
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'status.get': () => triadStatus(),
      'license.check': ({ fileName }) => report(fileName),
      'license.import': ({ fileName, distribute }) => ({
        imported: true,
        distributed: distribute === true,
        report: report(fileName),
        outcome: { state: 'served', message: `Imported ${fileName}. The server now serves 1 feature: compiler.` },
      }),
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('rekey.lic', current.text));
    const box = await screen.findByRole('checkbox', { name: /Distribute to all three redundant servers/ });
    expect((box as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Import and replace the current file' }));
    expect(await screen.findByText('Imported rekey.lic. The server now serves 1 feature: compiler. All three redundant servers switched to it.')).toBeTruthy();
    expect(fake.callsOf('license.import')).toEqual([{ fileName: 'rekey.lic', text: current.text, distribute: true }]);
  });

  it('on a triad standby, says to import on the master instead of offering distribution', async () => {
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'status.get': () => triadStatus({ role: 'standby', host: 'orange' }),
      'license.check': ({ fileName }) => report(fileName),
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('rekey.lic', current.text));
    expect(await screen.findByText(/import this file on the master \(apple\)/)).toBeTruthy();
    expect(screen.queryByRole('checkbox', { name: /Distribute/ })).toBeNull();
  });

  it('accepts a dropped file', async () => {
    const fake = createFakeTransport({ 'license.current': () => null, 'keys.list': () => [], 'license.check': ({ fileName }) => report(fileName) });
    renderScreen(fake);
    expect(await screen.findByText('No license file yet. Import one above.')).toBeTruthy();
    const drop = new Event('drop', { bubbles: true }) as Event & { dataTransfer: unknown };
    drop.dataTransfer = { files: [file('dropped.lic', 'VENDOR ibmratl\n')] };
    screen.getByTestId('license-file-drop').dispatchEvent(drop);
    await waitFor(() => expect(fake.callsOf('license.check')).toEqual([{ fileName: 'dropped.lic', text: 'VENDOR ibmratl\n' }]));
  });

  it('manages trusted vendor keys and shows refusals', async () => {
    const key = { vendor: 'ibmratl', publicKey: 'PEM', fingerprint: '0123456789abcdef', addedAt: 0 };
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'keys.add': ({ publicKey }) => (publicKey.includes('PRIVATE') ? { code: 'bad-request', message: 'That is a private key (NAME.key).' } : [key]),
    });
    renderScreen(fake);
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
  it('warns before Import when the new file serves fewer seats than are in use, and not when it serves enough', async () => {
    const inUse = triadStatus({ mode: 'single', members: [] });
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => [],
      'status.get': () => inUse,
      'license.check': ({ fileName }) => (fileName === 'fewer.lic' ? { ...report(fileName), features: [] } : report(fileName)),
    });
    renderScreen(fake);
    await screen.findByTestId('current-license-text');
    await userEvent.upload(screen.getByTestId('license-file-input'), file('fewer.lic', 'VENDOR ibmratl'));
    const warning = await screen.findByText(/serves fewer seats than are in use now/);
    expect(warning.textContent).toContain('compiler (1 in use, not in the file)');
    expect(screen.getByRole('button', { name: 'Import and replace the current file' })).toBeTruthy();
    await userEvent.upload(screen.getByTestId('license-file-input'), file('same.lic', 'FEATURE compiler'));
    await screen.findByText('same.lic has no errors.');
    expect(screen.queryByText(/serves fewer seats than are in use now/)).toBeNull();
  });
});

describe('trusted vendor keys', () => {
  it('asks before it stops trusting a key, and removes it only when confirmed', async () => {
    const key = { vendor: 'demo', publicKey: 'PEM', addedAt: 0, fingerprint: 'SHA256:abc' };
    let trusted = [key];
    const fake = createFakeTransport({
      'license.current': () => current,
      'keys.list': () => trusted,
      'keys.remove': () => (trusted = []),
    });
    renderScreen(fake);
    // hidden: a closing Fluent dialog may still mark the page aria-hidden in happy-dom
    await userEvent.click(await screen.findByRole('button', { name: 'Remove key SHA256:abc of demo' }));
    const dialog = await screen.findByRole('alertdialog', { hidden: true });
    expect(dialog.textContent).toContain('stop being served at once');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }));
    expect(fake.callsOf('keys.remove')).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Remove key SHA256:abc of demo', hidden: true }));
    await userEvent.click(within(await screen.findByRole('alertdialog', { hidden: true })).getByRole('button', { name: 'Stop trusting', hidden: true }));
    await waitFor(() => expect(fake.callsOf('keys.remove')).toEqual([{ vendor: 'demo', fingerprint: 'SHA256:abc' }]));
    expect(await screen.findByText(/No trusted keys: no signed feature is served/)).toBeTruthy();
  });
});
