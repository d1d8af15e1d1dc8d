import './noWebAnimations';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientConfig, ClientEntry } from '../../src/shared/contract';
import { ClientConfigScreen } from '../../src/renderer/src/screens/ClientConfigScreen';
import { TransportProvider } from '../../src/renderer/src/useTransport';
import { createFakeTransport } from './fakeTransport';

afterEach(cleanup);

/** The store's behaviour in miniature: ordered entries, ids, moves. */
function fakeClientStore(initial: ClientEntry[] = []) {
  let config: ClientConfig = { useLicenseServer: false, entries: initial };
  let nextId = 100;
  const set = (entries: ClientEntry[]) => (config = { ...config, entries });
  return createFakeTransport({
    'client.get': () => config,
    'client.setUse': ({ use }) => (config = { ...config, useLicenseServer: use }),
    'client.add': ({ type, hosts, name }) => set([...config.entries, { id: nextId++, type, hosts, name: name ?? hosts[0]!.host }]),
    'client.update': ({ id, name, hosts }) =>
      set(config.entries.map((e) => (e.id === id ? { ...e, ...(name ? { name } : {}), ...(hosts ? { hosts } : {}) } : e))),
    'client.remove': ({ id }) => set(config.entries.filter((e) => e.id !== id)),
    'client.move': ({ id, delta }) => {
      const entries = [...config.entries];
      const i = entries.findIndex((e) => e.id === id);
      const [entry] = entries.splice(i, 1);
      entries.splice(Math.max(0, Math.min(entries.length, i + delta)), 0, entry!);
      return set(entries);
    },
    'client.verify': () =>
      config.entries.map((e, i) =>
        i === 0
          ? { entryId: e.id, reachable: true, problem: null, master: 'orange', features: [{ name: 'compiler', version: '1.0', issued: 5, inUse: 2 }] }
          : { entryId: e.id, reachable: false, problem: 'Connection refused', master: null, features: [] },
      ),
    'client.import': ({ value }) =>
      value.includes('bad')
        ? { code: 'bad-request', message: 'Nothing was imported: entry 1 "bad@" has no host.' }
        : set([{ id: nextId++, name: 'siteA', type: 'single', hosts: [{ host: 'siteA', port: 27000 }] }]),
    'client.export': ({ platform }) => ({
      value: config.entries.map((e) => e.hosts.map((h) => `${h.port}@${h.host}`).join(',')).join(platform === 'windows' ? ';' : ':'),
    }),
  });
}

function renderScreen(fake: ReturnType<typeof createFakeTransport>) {
  render(
    <TransportProvider transport={fake.transport}>
      <ClientConfigScreen />
    </TransportProvider>,
  );
}

const dialog = () => screen.findByRole('dialog', { hidden: true });
// hidden: a closing Fluent dialog may still mark the page aria-hidden in happy-dom
const names = () => within(screen.getByTestId('search-order')).getAllByRole('option', { hidden: true }).map((o) => o.querySelector('.entry-name')!.textContent);

describe('Client/Server Configuration screen', () => {
  it('adds a Redundant entry with primary, secondary and tertiary, and a Single entry', async () => {
    const fake = fakeClientStore();
    renderScreen(fake);
    expect(await screen.findByText('No license servers. Add Server adds one.')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Add Server…' }));
    let d = await dialog();
    await userEvent.click(within(d).getByRole('radio', { name: 'Redundant', hidden: true }));
    for (const [role, host] of [['primary', 'apple'], ['secondary', 'orange'], ['tertiary', 'banana']]) {
      await userEvent.type(within(d).getByTestId(`add-${role}-host`), host!);
    }
    await userEvent.click(within(d).getByRole('button', { name: 'OK', hidden: true }));
    await waitFor(() => expect(fake.callsOf('client.add')).toHaveLength(1));
    expect(fake.callsOf('client.add')[0]).toEqual({
      type: 'redundant',
      hosts: [
        { host: 'apple', port: 27000 },
        { host: 'orange', port: 27000 },
        { host: 'banana', port: 27000 },
      ],
    });

    await waitFor(() => expect(screen.queryByRole('dialog', { hidden: true })).toBeNull());
    // happy-dom's tabster may leave the page aria-hidden after a modal closes (real browsers do not: see e2e)
    await userEvent.click(screen.getByRole('button', { name: 'Add Server…', hidden: true }));
    d = await dialog();
    await userEvent.type(within(d).getByTestId('add-single-host'), 'siteB');
    await userEvent.clear(within(d).getByTestId('add-single-port'));
    await userEvent.click(within(d).getByRole('button', { name: 'OK', hidden: true }));
    await waitFor(() => expect(fake.callsOf('client.add')[1]).toEqual({ type: 'single', hosts: [{ host: 'siteB', port: null }] }));
    await waitFor(() => expect(names()).toEqual(['apple', 'siteB']));
  });

  it('will not add a triad member without a port', async () => {
    const fake = fakeClientStore();
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Add Server…' }));
    const d = await dialog();
    await userEvent.click(within(d).getByRole('radio', { name: 'Redundant', hidden: true }));
    await userEvent.type(within(d).getByTestId('add-primary-host'), 'apple');
    await userEvent.type(within(d).getByTestId('add-secondary-host'), 'orange');
    await userEvent.type(within(d).getByTestId('add-tertiary-host'), 'banana');
    await userEvent.clear(within(d).getByTestId('add-tertiary-port'));
    expect((within(d).getByRole('button', { name: 'OK', hidden: true }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('reorders with Move Up and Move Down and the keyboard, renames in Settings, removes', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'siteA', type: 'single', hosts: [{ host: 'siteA', port: 27000 }] },
      { id: 2, name: 'prod', type: 'redundant', hosts: [{ host: 'a', port: 27000 }, { host: 'b', port: 27000 }, { host: 'c', port: 27000 }] },
    ]);
    renderScreen(fake);
    await screen.findByTestId('search-order');
    // disabled but still focusable, so the keyboard focus stays where it was
    expect(screen.getByRole('button', { name: 'Move Up' }).getAttribute('aria-disabled')).toBe('true');

    await userEvent.click(screen.getByText('prod'));
    await userEvent.click(screen.getByRole('button', { name: 'Move Up' }));
    await waitFor(() => expect(names()).toEqual(['prod', 'siteA']));

    screen.getByTestId('search-order').focus();
    await userEvent.keyboard('{ArrowDown}');
    expect(screen.getByRole('option', { selected: true, hidden: true }).textContent).toContain('siteA');
    await userEvent.click(screen.getByRole('button', { name: 'Move Up' }));
    await waitFor(() => expect(names()).toEqual(['siteA', 'prod']));

    const host = screen.getByTestId('settings-single-host');
    await userEvent.clear(host);
    await userEvent.type(host, 'siteZ');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(names()).toEqual(['siteZ', 'prod']));
    expect(fake.callsOf('client.update')).toEqual([{ id: 1, name: 'siteZ', hosts: [{ host: 'siteZ', port: 27000 }] }]);

    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(names()).toEqual(['prod']));
  });

  it('verifies each entry and shows who answers, the master and the licenses', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'prod', type: 'redundant', hosts: [{ host: 'apple', port: 27000 }, { host: 'orange', port: 27000 }, { host: 'banana', port: 27000 }] },
      { id: 2, name: 'siteB', type: 'single', hosts: [{ host: 'siteB', port: 27000 }] },
    ]);
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Verify' }));
    const table = await screen.findByTestId('verify-results');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]!.textContent).toContain('orange');
    expect(rows[1]!.textContent).toContain('compiler v1.0: 2 of 5 in use');
    expect(rows[2]!.textContent).toContain('no: Connection refused');
  });

  it('imports and exports LM_LICENSE_FILE, and shows an import refusal', async () => {
    const fake = fakeClientStore([{ id: 1, name: 'x', type: 'single', hosts: [{ host: 'x', port: 27001 }] }]);
    renderScreen(fake);
    const input = await screen.findByTestId('path-import');
    await userEvent.type(input, 'bad@');
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Nothing was imported');
    await userEvent.clear(input);
    await userEvent.type(input, '27000@siteA');
    await userEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(names()).toEqual(['siteA']));
    await userEvent.click(screen.getByRole('radio', { name: 'UNIX (:)' }));
    await userEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect(((await screen.findByTestId('path-export')) as HTMLInputElement).value).toBe('27000@siteA');
    expect(fake.callsOf('client.export')).toEqual([{ platform: 'unix' }]);
  });

  it('keeps the keyboard focus on Move Up while the move runs, and gives it back when a dialog closes', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'a', type: 'single', hosts: [{ host: 'a', port: 27000 }] },
      { id: 2, name: 'b', type: 'single', hosts: [{ host: 'b', port: 27000 }] },
      { id: 3, name: 'c', type: 'single', hosts: [{ host: 'c', port: 27000 }] },
    ]);
    renderScreen(fake);
    await userEvent.click(await screen.findByText('c'));
    const up = screen.getByRole('button', { name: 'Move Up', hidden: true });
    up.focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(names()).toEqual(['a', 'c', 'b']));
    await waitFor(() => expect(document.activeElement).toBe(up));
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(names()).toEqual(['c', 'a', 'b']));

    const add = screen.getByRole('button', { name: 'Add Server…', hidden: true });
    await userEvent.click(add);
    await dialog();
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(document.activeElement).toBe(add), { timeout: 5_000 });
  }, 20_000);

  it('drops a Verify table and an exported value once the list they describe changes', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'prod', type: 'single', hosts: [{ host: 'apple', port: 27000 }] },
      { id: 2, name: 'siteB', type: 'single', hosts: [{ host: 'siteB', port: 27000 }] },
    ]);
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Verify' }));
    await screen.findByTestId('verify-results');
    await userEvent.click(screen.getByRole('button', { name: 'Export' }));
    await screen.findByTestId('path-export');
    await userEvent.click(screen.getByText('siteB'));
    await userEvent.click(screen.getByRole('button', { name: 'Move Up' }));
    await waitFor(() => expect(names()).toEqual(['siteB', 'prod']));
    await waitFor(() => expect(screen.queryByTestId('verify-results')).toBeNull());
    expect(screen.queryByTestId('path-export')).toBeNull();
  });

  it('toggles Use license server', async () => {
    const fake = fakeClientStore();
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Use license server' }));
    await waitFor(() => expect((screen.getByRole('checkbox', { name: 'Use license server' }) as HTMLInputElement).checked).toBe(true));
    expect(fake.callsOf('client.setUse')).toEqual([{ use: true }]);
  });
});
