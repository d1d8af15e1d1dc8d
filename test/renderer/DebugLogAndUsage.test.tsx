import './noWebAnimations';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DebugLogPage, UsageReport } from '../../src/shared/contract';
import { DebugLogScreen } from '../../src/renderer/src/screens/DebugLogScreen';
import { UsageScreen } from '../../src/renderer/src/screens/UsageScreen';
import { UsageChart } from '../../src/renderer/src/components/UsageChart';
import { TransportProvider } from '../../src/renderer/src/useTransport';
import { createFakeTransport } from './fakeTransport';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const at = (h: number, m: number, s: number) => new Date(2026, 10, 28, h, m, s).getTime();

const page: DebugLogPage = {
  lines: [
    { id: 1, time: at(7, 47, 3), daemon: 'lmgrd', message: 'lmgrd tcp-port 27000' },
    { id: 2, time: at(7, 47, 4), daemon: 'ibmratl', message: 'OUT: "compiler" alice@ws1' },
  ],
  daemons: ['ibmratl', 'lmgrd'],
  masterKeepsLog: null,
};

function renderWith(fake: ReturnType<typeof createFakeTransport>, screenElement: React.ReactNode) {
  render(<TransportProvider transport={fake.transport}>{screenElement}</TransportProvider>);
}

/** Captures what saveTextFile hands to the browser. */
function captureDownloads() {
  const saved: { name: string; blob: Blob }[] = [];
  let lastBlob: Blob | null = null;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    lastBlob = blob as Blob;
    return 'blob:test';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: lastBlob! });
  });
  return saved;
}

describe('Debug log screen', () => {
  it('shows lines in the FlexLM format and tails new ones live, honouring the daemon filter', async () => {
    const fake = createFakeTransport({ 'log.query': () => page });
    renderWith(fake, <DebugLogScreen />);
    const log = await screen.findByTestId('log-lines');
    // with lmgrd's TIMESTAMP line for the day, so the screen shows dates as the file does
    expect(log.textContent).toBe('7:47:03 (lmgrd) TIMESTAMP 11/28/2026\n7:47:03 (lmgrd) lmgrd tcp-port 27000\n7:47:04 (ibmratl) OUT: "compiler" alice@ws1');
    act(() => fake.emit('log', { id: 3, time: at(7, 48, 0), daemon: 'ibmratl', message: 'IN: "compiler" alice@ws1' }));
    await waitFor(() => expect(screen.getByTestId('log-lines').textContent).toContain('7:48:00 (ibmratl) IN: "compiler" alice@ws1'));

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Daemon' }), 'lmgrd');
    await waitFor(() => expect(fake.callsOf('log.query').at(-1)).toMatchObject({ daemon: 'lmgrd' }));
    act(() => fake.emit('log', { id: 4, time: at(7, 49, 0), daemon: 'ibmratl', message: 'not for this filter' }));
    expect(screen.getByTestId('log-lines').textContent).not.toContain('not for this filter');
  });

  it('exports what the filters select', async () => {
    captureDownloads();
    const fake = createFakeTransport({
      'log.query': () => page,
      'log.export': () => ({ fileName: 'x.log', text: '', lineCount: 0 }),
    });
    renderWith(fake, <DebugLogScreen />);
    await screen.findByTestId('log-lines');
    await userEvent.type(screen.getByRole('textbox', { name: 'Text' }), 'alice');
    await userEvent.click(screen.getByRole('button', { name: 'Export to file…' }));
    await waitFor(() => expect(fake.callsOf('log.export').at(-1)).toMatchObject({ text: 'alice', source: 'local' }));
  });

  it('exports the chosen range to a text file', async () => {
    const saved = captureDownloads();
    const fake = createFakeTransport({
      'log.query': () => page,
      'log.export': () => ({ fileName: 'triad-debug-20261128-0747.log', text: '7:47:03 (lmgrd) TIMESTAMP 11/28/2026\n', lineCount: 1 }),
    });
    renderWith(fake, <DebugLogScreen />);
    await screen.findByTestId('log-lines');
    await userEvent.click(screen.getByRole('button', { name: 'Export to file…' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toBe('triad-debug-20261128-0747.log');
    expect(await saved[0]!.blob.text()).toBe('7:47:03 (lmgrd) TIMESTAMP 11/28/2026\n');
  });

  it("on a standby, says the master keeps the log and shows the master's lines on request", async () => {
    const masterLine = { id: 7, time: at(8, 0, 0), daemon: 'lmgrd', message: 'Redundant server quorum established. Master is apple' };
    const fake = createFakeTransport({
      'log.query': ({ source }) => (source === 'master' ? { ...page, lines: [masterLine] } : { ...page, lines: [], masterKeepsLog: { master: 'apple' } }),
    });
    renderWith(fake, <DebugLogScreen />);
    expect(await screen.findByText(/The master, apple, logs the licenses; this server's log shows its own quorum events/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: "Show the master's log" }));
    expect(await screen.findByText(/Master is apple/)).toBeTruthy();
    expect(screen.getByText(/Showing the master's log/)).toBeTruthy();
    expect(fake.callsOf('log.query').at(-1)).toMatchObject({ source: 'master' });
  });

  it("tells why when the master's log cannot be read", async () => {
    const fake = createFakeTransport({
      'log.query': ({ source }) =>
        source === 'master'
          ? { code: 'not-running', message: "The master's debug log cannot be read: there is no master now (no quorum)" }
          : { ...page, lines: [], masterKeepsLog: { master: 'apple' } },
    });
    renderWith(fake, <DebugLogScreen />);
    await userEvent.click(await screen.findByRole('button', { name: "Show the master's log" }));
    expect((await screen.findByRole('alert')).textContent).toContain('no master now');
  });
});

describe('Usage screen', () => {
  const report: UsageReport = {
    sinceMs: at(0, 0, 0),
    untilMs: at(12, 0, 0),
    features: ['compiler'],
    points: [
      { time: at(0, 0, 0), inUse: { compiler: 0 } },
      { time: at(12, 0, 0), inUse: { compiler: 2 } },
    ],
    peaks: [{ feature: 'compiler', peak: 4, at: at(9, 0, 0), issued: 5 }],
    denials: [{ time: at(9, 30, 0), feature: 'compiler', user: 'bob', host: 'ws2', reason: 'Licensed number of users already reached. (-4,342)' }],
  };

  it('shows peaks and denials and exports CSV', async () => {
    const saved = captureDownloads();
    const fake = createFakeTransport({ 'usage.get': () => report });
    renderWith(fake, <UsageScreen />);
    const peaks = await screen.findByRole('table', { name: 'Peak usage' });
    expect(peaks.textContent).toContain('compiler45');
    expect(screen.getByRole('table', { name: 'Denials' }).textContent).toContain('Licensed number of users already reached. (-4,342)');
    await userEvent.click(screen.getByRole('button', { name: 'Export usage CSV…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Export denials CSV…' }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect((await saved[0]!.blob.text()).split('\r\n')[0]).toBe('time,compiler');
    expect(await saved[1]!.blob.text()).toContain('"Licensed number of users already reached. (-4,342)"');
  });

  it('says so when nothing happened in the range', async () => {
    const fake = createFakeTransport({ 'usage.get': () => ({ ...report, features: [], points: [], peaks: [], denials: [] }) });
    renderWith(fake, <UsageScreen />);
    expect(await screen.findByText('No license activity in this range.')).toBeTruthy();
  });

  const withUsers: UsageReport = {
    ...report,
    users: [
      { user: 'alice', feature: 'compiler', checkouts: 3, heldMs: 5_400_000, denials: 0, lastUsed: at(11, 0, 0) },
      { user: 'bob', feature: 'compiler', checkouts: 0, heldMs: 0, denials: 2, lastUsed: null },
    ],
  };

  it('draws the seats issued as a line on the chart', async () => {
    render(<UsageChart report={withUsers} width={640} />);
    const chart = await screen.findByTestId('usage-chart');
    await waitFor(() => expect(chart.querySelector('.recharts-reference-line')).not.toBeNull());
    expect(chart.textContent).toContain('compiler: 5 issued');
  });

  it('shows and exports usage by user, and says where the file went', async () => {
    const saved = captureDownloads();
    renderWith(createFakeTransport({ 'usage.get': () => withUsers }), <UsageScreen />);
    const table = await screen.findByTestId('usage-by-user');
    const rows = table.querySelectorAll('tbody tr');
    expect([...rows].map((r) => [...r.querySelectorAll('td')].slice(0, 5).map((c) => c.textContent))).toEqual([
      ['alice', 'compiler', '3', '1.50', '0'],
      ['bob', 'compiler', '0', '0.00', '2'],
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Export users CSV…' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.name).toMatch(/^triad-users-\d{4}-\d{2}-\d{2}\.csv$/);
    expect((await saved[0]!.blob.text()).split('\r\n')[1]).toBe(`alice,compiler,3,1.50,0,${new Date(at(11, 0, 0)).toISOString()}`);
    expect((await screen.findByRole('status')).textContent).toMatch(/^Exported the usage by user as triad-users-.*\.csv to your browser's downloads folder/);
  });
});

describe('every export says where the file went', () => {
  it('the debug log export names the file, the lines and the downloads folder', async () => {
    captureDownloads();
    const fake = createFakeTransport({
      'log.query': () => page,
      'log.export': () => ({ fileName: 'triad-debug-20261128-0747.log', text: 'x\n', lineCount: 1 }),
    });
    renderWith(fake, <DebugLogScreen />);
    await screen.findByTestId('log-lines');
    await userEvent.click(screen.getByRole('button', { name: 'Export to file…' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      "Exported 1 line as triad-debug-20261128-0747.log to your browser's downloads folder (or where its Save dialog put it).",
    );
  });
});
