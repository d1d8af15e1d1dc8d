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
    await userEvent.click(within(await findDialog()).getByRole('button', { name: 'Stop', hidden: true }));
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
