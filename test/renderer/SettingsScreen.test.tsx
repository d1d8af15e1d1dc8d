import './noWebAnimations';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { SettingsScreen } from '../../src/renderer/src/screens/SettingsScreen';
import { UsageScreen } from '../../src/renderer/src/screens/UsageScreen';
import { TransportProvider } from '../../src/renderer/src/useTransport';
import { defaultRetentionSettings, type DiskStatus, type LogsOverview, type RetentionSettings } from '../../src/shared/logRetention';
import { createFakeTransport, triadStatus } from './fakeTransport';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

const MB = 1024 * 1024;
const at = (h: number) => new Date(2026, 10, 28, h, 0, 0).getTime();

function overview(over: Partial<LogsOverview> = {}): LogsOverview {
  return {
    settings: defaultRetentionSettings,
    archiveFolder: '/var/lib/triad/archive',
    debugLog: { rows: 1200, estimatedBytes: 3 * MB, oldestMs: at(1), newestMs: at(9), rotatedThroughMs: null },
    reportLog: { rows: 800, estimatedBytes: 2 * MB, oldestMs: at(2), newestMs: at(9), rotatedThroughMs: at(1) },
    archives: {
      count: 1,
      totalBytes: MB,
      newest: [{ name: 'report-log_20261128-000000_20261128-010000.csv.gz', log: 'report', bytes: MB, fromMs: at(0), toMs: at(1) }],
    },
    rotations: [],
    longestStepMs: 0,
    problem: null,
    running: true,
    disk: null,
    ...over,
  };
}

function renderSettings(handlers: Parameters<typeof createFakeTransport>[0]) {
  const fake = createFakeTransport(handlers);
  render(
    <TransportProvider transport={fake.transport}>
      <SettingsScreen />
    </TransportProvider>,
  );
  return fake;
}

const field = (name: string) => screen.getByRole('spinbutton', { name });

describe('Settings screen', () => {
  it('shows what each log keeps and the archives, and saves a changed limit', async () => {
    let saved: RetentionSettings = defaultRetentionSettings;
    const fake = renderSettings({
      'logs.get': () => overview(),
      'logs.configure': (patch) => {
        saved = { ...saved, ...patch } as RetentionSettings;
        return overview({ settings: saved });
      },
    });
    expect(await screen.findByText(/1,200 rows, about 3\.0 MB/)).toBeTruthy();
    expect(screen.getByText(/Rows up to .* were rotated out/)).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Archive files' }).textContent).toContain('report-log_20261128-000000_20261128-010000.csv.gz');
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toHaveProperty('disabled', true);

    const days = screen.getAllByRole('spinbutton', { name: /Keep lines for \(days\)/ })[0]!;
    await userEvent.clear(days);
    await userEvent.type(days, '30');
    await userEvent.click(screen.getByRole('checkbox', { name: /Write rotated rows to archive files/ }));
    await userEvent.click(save);
    await waitFor(() => expect(fake.callsOf('logs.configure')).toHaveLength(1));
    expect(fake.callsOf('logs.configure')[0]).toEqual({
      ...defaultRetentionSettings,
      debugLog: { maxAgeDays: 30, maxMegabytes: 1024 },
      archive: { enabled: false, folder: null, maxMegabytes: 2048 },
    });
    expect(await screen.findByText('Saved. The server applies the new settings now.')).toBeTruthy();
  });

  it('says what is wrong with a value before saving, and does not save it', async () => {
    const fake = renderSettings({ 'logs.get': () => overview() });
    await screen.findByText(/1,200 rows/);
    const warn = field('Warn below (MB free)');
    await userEvent.clear(warn);
    await userEvent.type(warn, '10');
    expect(await screen.findByText(/The warning threshold must not be below the threshold at which new licenses are refused/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save' })).toHaveProperty('disabled', true);
    await userEvent.clear(field('Keep archives up to (MB in all)'));
    expect(await screen.findByText('Enter a number of megabytes (0: no limit).')).toBeTruthy();
    expect(fake.callsOf('logs.configure')).toHaveLength(0);
  });

  it('rotates a log on request after asking, and shows which file it wrote', async () => {
    const fake = renderSettings({
      'logs.get': () => overview(),
      'logs.rotate': ({ log }) => ({ message: `${log} log switched: 1200 rows written to /var/lib/triad/archive/debug-log_x.log.gz`, overview: overview() }),
    });
    await screen.findByText(/1,200 rows/);
    await userEvent.click(screen.getByRole('button', { name: 'Rotate debug log now (lmswitch)' }));
    // hidden: a Fluent dialog may still mark the page aria-hidden in happy-dom under load (as in LicenseScreen)
    const dialog = await screen.findByRole('alertdialog', { hidden: true });
    expect(dialog.textContent).toContain('Every line so far goes into one archive file in /var/lib/triad/archive and leaves the database');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Rotate', hidden: true }));
    expect(await screen.findByText(/debug log switched: 1200 rows written to/)).toBeTruthy();
    expect(fake.callsOf('logs.rotate')).toEqual([{ log: 'debug' }]);
  });

  it('while the server is stopped: settings can be saved, nothing can be rotated', async () => {
    renderSettings({ 'logs.get': () => overview({ running: false }) });
    expect(await screen.findByText(/The license server is stopped: settings are saved/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rotate report log now (lmswitchr)' })).toHaveProperty('disabled', true);
  });

  it('shows the disk, a rotation problem and the longest pause rotation caused', async () => {
    const disk: DiskStatus = {
      folder: '/var/lib/triad',
      freeBytes: 500 * MB,
      totalBytes: 1000 * MB,
      reusableBytes: 0,
      warnBelowBytes: 1024 * MB,
      refuseGrantsBelowBytes: 64 * MB,
      state: 'low',
      message: 'Disk space low: 500 MB free.',
      checkedAt: 0,
    };
    renderSettings({
      'logs.get': () =>
        overview({
          disk,
          problem: 'Log rotation failed: EACCES. The rows stay in the database until it succeeds.',
          longestStepMs: 3.2,
          rotations: [{ log: 'debug', atMs: at(9), rows: 1000, fromMs: at(1), toMs: at(2), file: '/a/debug-log_1.log.gz', reason: 'size' }],
        }),
    });
    expect(await screen.findByText(/500\.0 MB free of 1000\.0 MB for \/var\/lib\/triad\. Disk space low: 500 MB free\./)).toBeTruthy();
    expect(screen.getByText(/Log rotation failed: EACCES/)).toBeTruthy();
    expect(screen.getByText(/The longest pause rotation caused the server so far: 3\.2 ms/)).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Recent rotations' }).textContent).toContain('over the size limit');
  });
});

describe('disk banner', () => {
  const disk = (state: DiskStatus['state'], message: string | null): DiskStatus => ({
    folder: '/d',
    freeBytes: 0,
    totalBytes: 1,
    reusableBytes: 0,
    warnBelowBytes: 1,
    refuseGrantsBelowBytes: 1,
    state,
    message,
    checkedAt: 0,
  });
  const withDisk = (state: DiskStatus['state'], message: string | null) => triadStatus({ disk: disk(state, message) });

  it('warns on every screen while space is low, turns to an error while new licenses are refused, and goes when all is well', async () => {
    const fake = createFakeTransport({
      'status.get': () => triadStatus(),
      'logs.get': () => overview({ disk: disk('low', 'Disk space low: 800 MB free for /d.') }),
      'client.get': () => ({ useLicenseServer: true, entries: [] }),
    });
    window.location.hash = '#/client';
    render(<App transport={fake.transport} />);
    const banner = await screen.findByTestId('disk-banner');
    expect(banner.textContent).toBe('Disk space lowDisk space low: 800 MB free for /d.');
    act(() => fake.emit('status', withDisk('refusing', 'Disk nearly full: new licenses are refused.')));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('New licenses refused: disk fullDisk nearly full'));
    act(() => fake.emit('status', withDisk('ok', null)));
    await waitFor(() => expect(screen.queryByTestId('disk-banner')).toBeNull());
  });
});

describe('usage after rotation', () => {
  it('says from when the report log holds activity', async () => {
    const fake = createFakeTransport({
      'usage.get': ({ sinceMs, untilMs }) => ({ sinceMs, untilMs, keptSinceMs: untilMs - 3_600_000, features: [], points: [], peaks: [], denials: [] }),
    });
    render(
      <TransportProvider transport={fake.transport}>
        <UsageScreen />
      </TransportProvider>,
    );
    expect(await screen.findByText(/The report log holds activity from .* on: older rows were rotated into archive files \(see Settings\)/)).toBeTruthy();
  });
});
