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
          ? {
              entryId: e.id,
              reachable: true,
              problem: null,
              master: 'orange',
              features: [{ name: 'compiler', version: '1.0', issued: 5, inUse: 2 }],
              members: e.hosts.map((h, j) => ({
                host: h.host,
                port: h.port ?? 27000,
                up: j !== 2,
                master: j === 1,
                roundTripMs: j === 2 ? null : 0.8 + j,
                problem: j === 2 ? 'Connection refused' : null,
              })),
            }
          : {
              entryId: e.id,
              reachable: false,
              problem: 'Connection refused',
              master: null,
              features: [],
              members: [{ host: e.hosts[0]!.host, port: 27000, up: false, master: false, roundTripMs: null, problem: 'Connection refused' }],
            },
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
    await userEvent.click(within(await screen.findByRole('alertdialog', { hidden: true })).getByRole('button', { name: 'Remove', hidden: true }));
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
    expect(rows[1]!.textContent).toContain('compiler v1.0: 2 of 5 in use');
    // a redundant entry: each member, up or down, the master, the round trip
    const members = within(rows[1]!).getAllByRole('listitem').map((li) => li.textContent);
    expect(members).toEqual([
      'primary 27000@apple: up, 0.8 ms',
      'secondary 27000@orange: up, MASTER, 1.8 ms',
      'tertiary 27000@banana: down (Connection refused)',
    ]);
    expect(rows[2]!.textContent).toContain('no: the server did not answer');
    expect(rows[2]!.textContent).toContain('27000@siteB: down (Connection refused)');
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

describe('Client/Server Configuration reads like LKAD', () => {

  async function fillRedundant(d: HTMLElement, hosts: string[], ports: number[]) {
    await userEvent.click(within(d).getByRole('radio', { name: 'Redundant', hidden: true }));
    for (const [i, role] of ['primary', 'secondary', 'tertiary'].entries()) {
      await userEvent.type(within(d).getByTestId(`add-${role}-host`), hosts[i]!);
      const port = within(d).getByTestId(`add-${role}-port`);
      await userEvent.clear(port);
      await userEvent.type(port, String(ports[i]));
    }
  }

  it('Redundant refuses the same host twice', async () => {
    const fake = fakeClientStore();
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Add Server…' }));
    const d = await dialog();
    await fillRedundant(d, ['apple', 'orange', 'Apple'], [27000, 27000, 27000]);
    expect(within(d).getByTestId('add-problem').textContent).toContain('Primary and tertiary are the same host (Apple)');
    expect((within(d).getByRole('button', { name: 'OK', hidden: true }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Redundant warns when the ports differ, and still allows it', async () => {
    const fake = fakeClientStore();
    renderScreen(fake);
    await userEvent.click(await screen.findByRole('button', { name: 'Add Server…' }));
    const d = await dialog();
    await fillRedundant(d, ['apple', 'orange', 'banana'], [27000, 27001, 27000]);
    expect(within(d).getByTestId('add-problem').textContent).toContain('The ports differ (27000, 27001, 27000)');
    await userEvent.click(within(d).getByRole('button', { name: 'OK', hidden: true }));
    await waitFor(() => expect(fake.callsOf('client.add')).toHaveLength(1));
  });

  it('unticking Use license server visibly disables the list (greyed, and says it is not searched)', async () => {
    const fake = fakeClientStore([{ id: 1, name: 'siteA', type: 'single', hosts: [{ host: 'siteA', port: 27000 }] }]);
    renderScreen(fake);
    const list = await screen.findByTestId('search-order');
    expect(list.closest('.client-layout')!.className).toContain('not-in-use');
    expect(screen.getByTestId('not-used').textContent).toContain('products on this machine do not search these servers');
    expect(list.getAttribute('aria-describedby')).toContain('not-used');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Use license server' }));
    await waitFor(() => expect(screen.getByTestId('search-order').closest('.client-layout')!.className).not.toContain('not-in-use'));
    expect(screen.queryByTestId('not-used')).toBeNull();
  });

  it('Remove asks first and can be undone, back in its place', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'a', type: 'single', hosts: [{ host: 'a', port: 27000 }] },
      { id: 2, name: 'prod', type: 'redundant', hosts: [{ host: 'p', port: 27000 }, { host: 'q', port: 27000 }, { host: 'r', port: 27000 }] },
      { id: 3, name: 'c', type: 'single', hosts: [{ host: 'c', port: 27000 }] },
    ]);
    renderScreen(fake);
    await userEvent.click(await screen.findByText('prod'));
    const remove = screen.getByRole('button', { name: 'Remove' });
    expect(remove.getAttribute('data-danger')).toBe('true');
    await userEvent.click(remove);
    const asked = await screen.findByRole('alertdialog', { hidden: true });
    expect(asked.textContent).toContain('prod (27000@p,27000@q,27000@r) leaves the search order');
    expect(fake.callsOf('client.remove')).toHaveLength(0);
    await userEvent.click(within(asked).getByRole('button', { name: 'Remove', hidden: true }));
    await waitFor(() => expect(names()).toEqual(['a', 'c']));
    await userEvent.click(within(await screen.findByTestId('removed')).getByRole('button', { name: 'Undo', hidden: true }));
    await waitFor(() => expect(names()).toEqual(['a', 'prod', 'c']));
    expect(fake.callsOf('client.add')).toEqual([
      {
        name: 'prod',
        type: 'redundant',
        hosts: [
          { host: 'p', port: 27000 },
          { host: 'q', port: 27000 },
          { host: 'r', port: 27000 },
        ],
      },
    ]);
  });

  it('moves the selected entry with Alt+Up and Alt+Down, and Delete asks to remove it', async () => {
    const fake = fakeClientStore([
      { id: 1, name: 'a', type: 'single', hosts: [{ host: 'a', port: 27000 }] },
      { id: 2, name: 'b', type: 'single', hosts: [{ host: 'b', port: 27000 }] },
    ]);
    renderScreen(fake);
    await userEvent.click(await screen.findByText('b'));
    screen.getByTestId('search-order').focus();
    await userEvent.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await waitFor(() => expect(names()).toEqual(['b', 'a']));
    await userEvent.keyboard('{Alt>}{ArrowDown}{/Alt}');
    await waitFor(() => expect(names()).toEqual(['a', 'b']));
    expect(screen.getByTestId('search-order').getAttribute('aria-describedby')).toContain('search-order-keys');
    await userEvent.keyboard('{Delete}');
    expect((await screen.findByRole('alertdialog', { hidden: true })).textContent).toContain('b (27000@b) leaves the search order');
  });

  it('the UNIX export can be chosen with the keyboard', async () => {
    const fake = fakeClientStore([{ id: 1, name: 'x', type: 'single', hosts: [{ host: 'x', port: 27001 }] }]);
    renderScreen(fake);
    const windows = await screen.findByRole('radio', { name: 'Windows (;)' });
    windows.focus();
    await userEvent.keyboard('{ArrowRight}');
    const unix = screen.getByRole('radio', { name: 'UNIX (:)' }) as HTMLInputElement;
    expect(unix.checked).toBe(true);
    expect(document.activeElement).toBe(unix);
    // not inside a Toolbar, whose arrow keys would move to the Export button instead
    expect(unix.closest('[role="toolbar"]')).toBeNull();
    screen.getByRole('button', { name: 'Export' }).focus();
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(fake.callsOf('client.export')).toEqual([{ platform: 'unix' }]));
  });

  it('says where the list is also written for FlexLM tools, or why it could not be', async () => {
    const fake = createFakeTransport({
      'client.get': () => ({
        useLicenseServer: true,
        entries: [],
        registry: { where: 'HKLM\\SOFTWARE\\FLEXlm License Manager\\LM_LICENSE_FILE', problem: null },
      }),
    });
    renderScreen(fake);
    expect((await screen.findByTestId('registry-where')).textContent).toBe(
      'Also written to HKLM\\SOFTWARE\\FLEXlm License Manager\\LM_LICENSE_FILE for FlexLM tools.',
    );
  });
});
