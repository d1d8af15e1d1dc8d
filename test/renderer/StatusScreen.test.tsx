import './noWebAnimations';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '@testing-library/react';
import { App } from '../../src/renderer/src/App';
import { createFakeTransport, triadStatus, user } from './fakeTransport';

// happy-dom's tabster marks an open modal aria-hidden, so dialogs are queried with hidden: true.
const findDialog = () => screen.findByRole('alertdialog', { hidden: true });

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Server status screen', () => {
  it('shows the role, the triad, features and who holds them', async () => {
    const fake = createFakeTransport({ 'status.get': () => triadStatus() });
    render(<App transport={fake.transport} />);
    expect(await screen.findByTestId('role')).toHaveProperty('textContent', 'MASTER');
    const picture = screen.getByTestId('triad-picture');
    expect(picture.getAttribute('aria-label')).toContain('primary apple up, master, this server');
    expect(picture.getAttribute('aria-label')).toContain('tertiary banana down');
    expect(screen.getByTestId('member-secondary').textContent).toContain('0.8 ms');
    expect(screen.getByTestId('member-tertiary').textContent).toContain('DOWN');
    expect(screen.getByTestId('member-tertiary').textContent).toContain('unreachable');
    const row = screen.getByTestId('feature-compiler');
    expect(row.textContent).toContain('5');
    expect(screen.getByTestId('user-alice').textContent).toContain('ws1');
  });

  it('updates live when a status event arrives', async () => {
    const fake = createFakeTransport({ 'status.get': () => triadStatus() });
    render(<App transport={fake.transport} />);
    await screen.findByTestId('user-alice');
    const next = triadStatus();
    next.features[0]!.users.push(user('bob', { handle: 2 }));
    next.features[0]!.inUse = 2;
    act(() => fake.emit('status', next));
    expect(await screen.findByTestId('user-bob')).toBeTruthy();
    expect(fake.callsOf('status.get')).toHaveLength(1);
  });

  it('asks before removing a user, then removes exactly that user', async () => {
    const fake = createFakeTransport({
      'status.get': () => triadStatus(),
      'server.removeUser': () => triadStatus({ features: [{ ...triadStatus().features[0]!, users: [], inUse: 0 }] }),
    });
    render(<App transport={fake.transport} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove alice from compiler' }));
    expect(fake.callsOf('server.removeUser')).toHaveLength(0);
    const dialog = await findDialog();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove', hidden: true }));
    await waitFor(() => expect(fake.callsOf('server.removeUser')).toEqual([{ feature: 'compiler', user: 'alice', host: 'ws1', display: '/dev/tty' }]));
    expect(await screen.findByText('Nobody holds a license right now.')).toBeTruthy();
  });

  it('lmdown asks first and says a triad stops all three', async () => {
    const fake = createFakeTransport({ 'status.get': () => triadStatus(), 'server.lmdown': () => triadStatus({ role: 'stopped' }) });
    render(<App transport={fake.transport} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop (lmdown)' }));
    const dialog = await findDialog();
    expect(dialog.textContent).toContain('stops all three servers');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }));
    expect(fake.callsOf('server.lmdown')).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Stop (lmdown)' }));
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Stop all three', hidden: true }));
    expect(await screen.findByRole('button', { name: 'Start server' })).toBeTruthy();
    expect(fake.callsOf('server.lmdown')).toHaveLength(1);
  });

  it('a stopped server says it is stopped instead of calling its license file empty', async () => {
    const fake = createFakeTransport({ 'status.get': () => triadStatus({ role: 'stopped', vendors: [], features: [] }) });
    render(<App transport={fake.transport} />);
    expect(await screen.findByText('The server is stopped: start it to run its vendor daemons.')).toBeTruthy();
    expect(screen.getByText('The server is stopped: start it to serve the features of its license file.')).toBeTruthy();
    expect(screen.queryByText(/has no VENDOR line/)).toBeNull();
  });

  it('shows the backend error with a retry', async () => {
    let fail = true;
    const fake = createFakeTransport({
      'status.get': () => (fail ? { code: 'not-running', message: 'The license server is not running: no license file.' } : triadStatus()),
    });
    render(<App transport={fake.transport} />);
    expect((await screen.findByRole('alert')).textContent).toContain('no license file');
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('role')).toHaveProperty('textContent', 'MASTER');
  });

  it('navigates between screens with the keyboard', async () => {
    const fake = createFakeTransport({ 'status.get': () => triadStatus(), 'client.get': () => ({ useLicenseServer: true, entries: [] }) });
    render(<App transport={fake.transport} />);
    await screen.findByTestId('role');
    screen.getByRole('tab', { name: 'Client/Server Configuration' }).focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Client/Server Configuration' })).toBeTruthy();
    expect(window.location.hash).toBe('#/client');
  });
});

describe('Server status tells the truth in every state', () => {
  it('a standby shows the seats in use from the master, and says so', async () => {
    const standby = triadStatus({ role: 'standby', host: 'orange', master: 'apple', seatsFrom: { master: 'apple' } });
    render(<App transport={createFakeTransport({ 'status.get': () => standby }).transport} />);
    const banner = await screen.findByTestId('seats-from');
    expect(banner.textContent).toContain("The seats in use shown here are the master's, replicated to this server");
    expect(banner.textContent).toContain('apple');
    expect(screen.getByTestId('feature-compiler').textContent).toMatch(/51yes/);
    expect(screen.getByTestId('user-alice').textContent).toContain('ws1');
    expect(screen.queryByText('Nobody holds a license right now.')).toBeNull();
    expect(screen.getByTestId('vendor-ibmratl').textContent).toContain('UP (serving on the master, apple)');
    // seats are taken away on the master, which holds them
    expect(screen.queryByRole('button', { name: 'Remove alice from compiler' })).toBeNull();
    expect(screen.queryByTestId('not-serving')).toBeNull();
  });

  it('no quorum looks like not serving: one banner says why, vendors down and features not served as lmstat says', async () => {
    const alone = triadStatus({
      role: 'no-quorum',
      master: null,
      quorum: false,
      notServing:
        'No quorum: this server gives out no licenses and checkouts are denied. Out of reach: orange (secondary): connection refused; banana ' +
          '(tertiary): unreachable.',
      vendors: [{ name: 'ibmratl', up: false, version: 'v1.0.0', problem: 'The desired vendor daemon is down: no quorum (lmstat -97)' }],
      features: [{ ...triadStatus().features[0]!, served: false, notServedReason: 'no quorum: no server of the three serves licenses now' }],
    });
    render(<App transport={createFakeTransport({ 'status.get': () => alone }).transport} />);
    const banners = await screen.findAllByTestId('not-serving');
    expect(banners).toHaveLength(1);
    expect(banners[0]!.textContent).toContain('Not serving licenses');
    expect(banners[0]!.textContent).toContain('orange (secondary): connection refused');
    expect(screen.getByTestId('vendor-ibmratl').textContent).toContain('DOWN: The desired vendor daemon is down');
    expect(screen.getByTestId('feature-compiler').textContent).toContain('no: no quorum');
    expect(screen.getByTestId('role').textContent).toBe('no quorum');
  });

  it("shows each options-file problem with FILE:LINE:COL and its hint, an ignored EXCLUDE as an error (issue 15)", async () => {
    const status = triadStatus({
      optionsProblems: [
        {
          severity: 'error',
          file: '/opt/triad/ibmratl.opt',
          line: 4,
          column: 1,
          message: 'EXCLUDE DOORS GROUP contractors is ignored: no GROUP contractors is defined, so this EXCLUDE excludes nobody',
          hint: 'define GROUP contractors before this line',
        },
        {
          severity: 'warning',
          file: '/opt/triad/ibmratl.opt',
          line: 7,
          column: 23,
          message: 'a # comment ends this line',
          hint: 'put comments on their own line',
        },
      ],
    });
    render(<App transport={createFakeTransport({ 'status.get': () => status }).transport} />);
    const problems = await screen.findAllByTestId('options-problem');
    expect(problems.map((p) => p.textContent)).toEqual([
      expect.stringContaining('/opt/triad/ibmratl.opt:4:1: error: EXCLUDE DOORS GROUP contractors is ignored'),
      expect.stringContaining('/opt/triad/ibmratl.opt:7:23: warning: a # comment ends this line'),
    ]);
    expect(problems[0]!.textContent).toContain('hint: define GROUP contractors before this line');
    expect(problems[0]!.textContent).toContain('Access differs from the options file');
  });

  it('a stopped server shows its configured address and says the seats come back on Start', async () => {
    const stopped = triadStatus({
      role: 'stopped',
      mode: 'single',
      host: 'lic1.corp.example.com',
      port: 27005,
      master: null,
      quorum: false,
      members: [{ ...triadStatus().members[0]!, host: 'lic1.corp.example.com', port: 27005, rank: 'single', up: false, master: false }],
      vendors: [],
      features: [],
      notServing:
        'Stopped: this server gives out no licenses. 2 seats were held when it stopped: they are kept and come back when you Start it, and their ' +
          'clients carry on with them.',
    });
    render(<App transport={createFakeTransport({ 'status.get': () => stopped }).transport} />);
    expect((await screen.findByTestId('server-address')).textContent).toContain('27005@lic1.corp.example.com');
    expect(screen.getByTestId('not-serving').textContent).toContain('come back when you Start it');
    expect(screen.getByRole('button', { name: 'Start server' })).toBeTruthy();
  });

  it('Reread says what changed, or that nothing did', async () => {
    const before = triadStatus();
    const after = triadStatus({
      features: [
        { ...before.features[0]!, issued: 7 },
        { ...before.features[0]!, name: 'debugger', issued: 2, users: [], inUse: 0 },
      ],
    });
    let reread = after;
    const fake = createFakeTransport({ 'status.get': () => before, 'server.reread': () => reread });
    render(<App transport={fake.transport} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Reread' }));
    expect((await screen.findByRole('status')).textContent).toBe('Reread the license and options files: compiler 5 seats → 7 seats; debugger added (2 seats).');
    reread = after;
    await userEvent.click(screen.getByRole('button', { name: 'Reread' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Reread the license and options files: nothing changed in the features served.'));
  });

  it('destructive buttons look dangerous and ask first; Stop says what happens to the seats', async () => {
    const single = triadStatus({ mode: 'single', members: [] });
    const fake = createFakeTransport({
      'status.get': () => single,
      'server.stop': () => ({
        ...single,
        role: 'stopped',
        notServing: 'Stopped: this server gives out no licenses. 1 seat was held when it stopped: they are kept and come back when you Start it.',
      }),
    });
    render(<App transport={fake.transport} />);
    for (const name of ['Stop this server', 'Stop (lmdown)', 'Remove alice from compiler'])
      expect((await screen.findByRole('button', { name })).getAttribute('data-danger')).toBe('true');
    expect(screen.getByRole('button', { name: 'Reread' }).getAttribute('data-danger')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Stop (lmdown)' }));
    const lmdown = await findDialog();
    expect(lmdown.textContent).toContain('lmdown stops the license server.');
    expect(lmdown.textContent).not.toContain('all three');
    await userEvent.click(within(lmdown).getByRole('button', { name: 'Cancel', hidden: true }));
    await userEvent.click(screen.getByRole('button', { name: 'Stop this server', hidden: true }));
    const stop = await findDialog();
    expect(within(stop).getByRole('button', { name: 'Stop', hidden: true }).getAttribute('data-danger')).toBe('true');
    expect(fake.callsOf('server.stop')).toHaveLength(0);
    await userEvent.click(within(stop).getByRole('button', { name: 'Stop', hidden: true }));
    expect((await screen.findByRole('status')).textContent).toContain('come back when you Start it');
  });

  it('groups users under each feature as lmstat -a does, and marks a feature at its limit', async () => {
    const full = triadStatus({
      features: [{ ...triadStatus().features[0]!, issued: 2, inUse: 2, users: [user('alice'), user('bob', { handle: 2, count: 1 })] }],
    });
    render(<App transport={createFakeTransport({ 'status.get': () => full }).transport} />);
    const group = await screen.findByTestId('users-of-compiler');
    expect(group.textContent).toContain('Users of compiler: (Total of 2 licenses issued; Total of 2 licenses in use)');
    expect(group.className).toContain('at-limit');
    expect(within(group).getByText('at limit: next checkout is denied')).toBeTruthy();
    expect(within(group).getAllByRole('row')).toHaveLength(3);
    expect(screen.getByTestId('feature-compiler').className).toContain('at-limit');
  });

  it('shows the lmstat text with a Copy button', async () => {
    const lmstat =
      'lmutil - Copyright (c) 2026 Triad\nFlexible License Manager status on Sat 11/28/2026 10:00\n\nUsers of compiler:  (Total of 5 licenses issued; ' +
        ' Total of 1 license in use)\n';
    const fake = createFakeTransport({ 'status.get': () => triadStatus(), 'status.lmstat': () => ({ text: lmstat }) });
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t: string) => void written.push(t) }, configurable: true });
    render(<App transport={fake.transport} />);
    await userEvent.click(await screen.findByRole('button', { name: 'lmstat text' }));
    expect((await screen.findByTestId('lmstat-text')).textContent).toBe(lmstat);
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(written).toEqual([lmstat]);
    expect(await screen.findByText('Copied the lmstat text to the clipboard.')).toBeTruthy();
  });

  it('Collect diagnostics saves one archive and says where it went', async () => {
    const fake = createFakeTransport({
      'status.get': () => triadStatus(),
      'diag.collect': () => ({
        fileName: 'triad-diag-apple.zip',
        path: '/data/diagnostics/triad-diag-apple.zip',
        bytes: 4096,
        base64: btoa('PK'),
        entries: ['README.txt', 'lmstat-a.txt'],
      }),
    });
    const clicked: string[] = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    };
    try {
      render(<App transport={fake.transport} />);
      await userEvent.click(await screen.findByRole('button', { name: 'Collect diagnostics' }));
      const said = await screen.findByRole('status');
      expect(said.textContent).toContain('Diagnostics saved on the server as /data/diagnostics/triad-diag-apple.zip (4 KB, 2 files)');
      expect(said.textContent).toContain('holds no admin token');
      expect(clicked).toEqual(['triad-diag-apple.zip']);
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
  });

  it('names the server and its role in the window title', async () => {
    render(<App transport={createFakeTransport({ 'status.get': () => triadStatus({ host: 'lic1.corp' }) }).transport} />);
    await screen.findByTestId('role');
    await waitFor(() => expect(document.title).toBe('MASTER — lic1.corp'));
  });
});

describe('fits any window', () => {
  /** A window as narrow as `narrow` says, as matchMedia reports it. */
  function windowNarrow(narrow: boolean) {
    const listeners = new Set<(e: MediaQueryListEvent) => void>();
    window.matchMedia = ((query: string) => ({
      matches: narrow,
      media: query,
      addEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.add(l),
      removeEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.delete(l),
    })) as unknown as typeof window.matchMedia;
  }

  it('the sidebar collapses to icons in a narrow window, and the menu button brings the names back', async () => {
    const matchMedia = window.matchMedia;
    windowNarrow(true);
    try {
      render(<App transport={createFakeTransport({ 'status.get': () => triadStatus() }).transport} />);
      await screen.findByTestId('role');
      expect(document.querySelector('.app')!.className).toContain('nav-collapsed');
      // the tabs keep their names for the keyboard and screen readers
      const tab = screen.getByRole('tab', { name: 'License files' });
      expect(tab.textContent).toBe('');
      await userEvent.click(screen.getByRole('button', { name: 'Show screen names' }));
      expect(screen.getByRole('tab', { name: 'License files' }).textContent).toContain('License files');
      expect(document.querySelector('.app')!.className).not.toContain('nav-collapsed');
    } finally {
      window.matchMedia = matchMedia;
    }
  });

  it('a stopped member does not claim its peers are down: it cannot know', async () => {
    const stopped = triadStatus({
      role: 'stopped',
      quorum: false,
      master: null,
      members: triadStatus().members.map((m) => ({ ...m, up: false, master: false, problem: m.self ? 'stopped' : 'not known while this server is stopped' })),
    });
    render(<App transport={createFakeTransport({ 'status.get': () => stopped }).transport} />);
    const table = await screen.findByTestId('members-table');
    expect(table.textContent).toContain('27000@orange (secondary)not known while this server is stopped');
    expect(table.textContent).not.toMatch(/orange \(secondary\)DOWN/);
    expect(screen.getByTestId('member-secondary').textContent).toContain('not known');
  });
});
