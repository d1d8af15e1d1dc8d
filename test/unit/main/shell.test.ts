import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminApp } from '../../../src/host/adminApp';
import { openAdminApp } from '../../../src/host/adminApp';
import type { HttpHost, HttpHostOptions } from '../../../src/host/httpHost';
import { databaseFile } from '../../../src/core/store/store';
import { startShell, type ShellDeps } from '../../../src/main/shell';
import { eventNames } from '../../../src/shared/contract';
import { app, BrowserWindow, dialog, ipcMain, resetFakeElectron, Tray } from './fakeElectron';

vi.mock('electron', () => import('./fakeElectron'));

const builtDir = path.join('/opt/triad/resources/app.asar/out/main');
const serviceUrl = 'http://127.0.0.1:8090/';

/** The backend's stand-in: records whether it was closed, and lets a test hold the close open. */
function fakeAdminApp() {
  const listeners = new Map<string, (payload: unknown) => void>();
  let finishClose = () => {};
  const closing = new Promise<void>((resolve) => (finishClose = resolve));
  const adminApp = {
    api: {
      invoke: vi.fn(async (method: string, args: unknown) => ({ ok: true, value: { method, args } })),
      on: (name: string, listener: (payload: unknown) => void) => {
        listeners.set(name, listener);
        return () => listeners.delete(name);
      },
    },
    metrics: () => [],
    adminToken: 'a'.repeat(64),
    adminTokenFile: '/data/admin.token',
    close: vi.fn(() => closing),
  };
  return { adminApp, listeners, finishClose, asAdminApp: adminApp as unknown as AdminApp };
}

let backend: ReturnType<typeof fakeAdminApp>;
let terminate: (() => void) | null;
let reported: string[];
let hostClose: ReturnType<typeof vi.fn>;

function deps(overrides: Partial<ShellDeps> = {}): ShellDeps {
  return {
    serviceMode: false,
    builtDir,
    offerWindowsService: false,
    openAdminApp: vi.fn(async () => backend.asAdminApp),
    startHttpHost: vi.fn(async (_options: HttpHostOptions) => ({ close: hostClose }) as unknown as HttpHost),
    findRunningService: async () => null,
    serviceWindowUrl: (url) => `${url}login?token=t`,
    installWindowsService: vi.fn(async () => {}),
    removeWindowsService: vi.fn(async () => {}),
    onTerminate: (stop) => {
      terminate = stop;
    },
    reportError: (message) => reported.push(message),
    ...overrides,
  };
}

/** Lets the shell's promise chains (whenReady, open, close) run to where they wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function started(overrides: Partial<ShellDeps> = {}) {
  const given = deps(overrides);
  startShell(given);
  await settle();
  return { given, window: BrowserWindow.windows[0], tray: Tray.trays[0] };
}

beforeEach(() => {
  resetFakeElectron();
  backend = fakeAdminApp();
  terminate = null;
  reported = [];
  hostClose = vi.fn(async () => {});
});

describe('one instance per machine', () => {
  it('a second start quits at once: no database, no window, no tray', async () => {
    app.hasSingleInstanceLock = false;
    const { given } = await started();
    expect(app.quitted).toBe(true);
    expect(given.openAdminApp).not.toHaveBeenCalled();
    expect(BrowserWindow.windows).toEqual([]);
    expect(Tray.trays).toEqual([]);
  });

  it("a second start brings the first one's window back, even hidden in the tray or minimized", async () => {
    const { window } = await started();
    window.emit('ready-to-show');
    window.close();
    window.minimize();
    expect(window.visible).toBe(false);
    app.emit('second-instance');
    expect(window).toMatchObject({ visible: true, focused: true, minimized: false });
    expect(BrowserWindow.windows).toHaveLength(1);
  });
});

describe('closing the window', () => {
  it('hides it and keeps the license server running in the tray', async () => {
    const { window, tray } = await started();
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
    window.close();
    await settle();
    expect(window).toMatchObject({ visible: false, destroyed: false });
    expect(backend.adminApp.close).not.toHaveBeenCalled();
    expect(app.quitted).toBe(false);
    expect(tray.tooltip).toBe('Triad License Server');
    tray.clickItem('Open Triad');
    expect(window).toMatchObject({ visible: true, focused: true });
    window.hide();
    tray.emit('click');
    expect(window.visible).toBe(true);
  });
});

describe('Quit', () => {
  it('in the tray stops the license server, waits until it has stopped, then exits 0', async () => {
    const { tray, window } = await started();
    tray.clickItem('Quit and stop the license server');
    await settle();
    expect(backend.adminApp.close).toHaveBeenCalledTimes(1);
    expect(app.exitCode).toBeNull();
    backend.finishClose();
    await settle();
    expect(app.exitCode).toBe(0);
    // quitting, the window closes for real
    window.close();
    expect(window.destroyed).toBe(true);
  });

  it('asked by the system (log off, app.quit) stops the license server the same way', async () => {
    await started();
    app.quit();
    expect(app.quitted).toBe(false);
    backend.finishClose();
    await settle();
    expect(backend.adminApp.close).toHaveBeenCalledTimes(1);
    expect(app.exitCode).toBe(0);
  });
});

describe('attached to a running Windows service', () => {
  it('opens no database, shows the service in a window without the IPC bridge, and Quit leaves the service running', async () => {
    const { given, window, tray } = await started({ findRunningService: async () => serviceUrl });
    expect(given.openAdminApp).not.toHaveBeenCalled();
    expect(ipcMain.handlers.size).toBe(0);
    expect(window.loadedUrl).toBe(`${serviceUrl}login?token=t`);
    expect(window.loadedFile).toBeNull();
    expect(window.options.webPreferences).toEqual({ contextIsolation: true, sandbox: true });
    expect(tray.tooltip).toBe('Triad License Server (service)');
    tray.clickItem('Quit (the service keeps serving)');
    await settle();
    expect(app.exitCode).toBe(0);
    expect(backend.adminApp.close).not.toHaveBeenCalled();
  });

  it('the tray hands the server over to the service: stops its own server, installs, restarts to attach', async () => {
    const order: string[] = [];
    backend.adminApp.close.mockImplementation(async () => void order.push('close'));
    const installWindowsService = vi.fn(async () => void order.push('install'));
    const { tray } = await started({ offerWindowsService: true, installWindowsService });
    tray.clickItem('Run the license server as a Windows service', true);
    await settle();
    expect(order).toEqual(['close', 'install']);
    expect(app).toMatchObject({ relaunched: true, exitCode: 0 });
  });

  it('says so when Windows refuses the service, and restarts serving on its own', async () => {
    const { tray } = await started({ offerWindowsService: true, installWindowsService: async () => Promise.reject(new Error('Windows refused: cancelled')) });
    backend.finishClose();
    tray.clickItem('Run the license server as a Windows service', true);
    await settle();
    expect(dialog.errors).toEqual([{ title: 'Triad License Server', content: 'The service could not be installed: Windows refused: cancelled' }]);
    expect(app).toMatchObject({ relaunched: true, exitCode: 0 });
  });
});

describe('the database cannot be opened', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'triad-shell-'));
    writeFileSync(path.join(dataDir, databaseFile), 'this is not an SQLite database, it is a damaged file '.repeat(100));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('shows an error dialog that says what is wrong and how to fix it, then exits 1', async () => {
    await started({ openAdminApp: () => openAdminApp({ dataDir }) });
    expect(dialog.errors).toHaveLength(1);
    const [shown] = dialog.errors;
    expect(shown.title).toBe('Triad License Server cannot start');
    expect(shown.content).toContain(`Cannot open the database ${path.join(dataDir, databaseFile)}`);
    expect(shown.content).toContain('move it aside');
    expect(app.exitCode).toBe(1);
    expect(BrowserWindow.windows).toEqual([]);
  });

  it('in service mode (no window) reports it on stderr instead, then exits 1', async () => {
    await started({ serviceMode: true, openAdminApp: () => openAdminApp({ dataDir }) });
    expect(dialog.errors).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^Triad License Server: Cannot open the database /);
    expect(app.exitCode).toBe(1);
  });
});

describe('service mode', () => {
  it('serves the admin UI headless on the service address, and stops cleanly when the system ends it', async () => {
    app.hasSingleInstanceLock = false; // the service does not take the desktop app's lock
    const { given } = await started({ serviceMode: true });
    expect(app.quitted).toBe(false);
    expect(BrowserWindow.windows).toEqual([]);
    expect(given.startHttpHost).toHaveBeenCalledWith(
      expect.objectContaining({ host: '127.0.0.1', port: 8090, adminToken: backend.adminApp.adminToken, rendererDir: path.join(builtDir, '../renderer') }),
    );
    backend.finishClose();
    terminate!();
    await settle();
    expect(hostClose).toHaveBeenCalledTimes(1);
    expect(backend.adminApp.close).toHaveBeenCalledTimes(1);
    expect(app.exitCode).toBe(0);
  });
});

describe('the window with the admin UI', () => {
  it('is sandboxed and context-isolated, with the CommonJS preload bundle, and loads the built renderer', async () => {
    const { window } = await started();
    expect(window.options.show).toBe(false);
    expect(window.options.webPreferences).toEqual({ preload: path.join(builtDir, '../preload/index.cjs'), contextIsolation: true, sandbox: true });
    expect(window.loadedFile).toBe(path.join(builtDir, '../renderer/index.html'));
  });

  it('reaches the backend through the IPC bridge: contract calls go in, contract events come out to every window', async () => {
    const { window } = await started();
    const handler = ipcMain.handlers.get('triad:invoke');
    expect([...ipcMain.handlers.keys()]).toEqual(['triad:invoke']);
    expect(await handler!({}, 'status.get', { x: 1 })).toEqual({ ok: true, value: { method: 'status.get', args: { x: 1 } } });
    expect([...backend.listeners.keys()]).toEqual(eventNames);
    // e.g. DevTools or a second view: every window hears the events
    const second = new BrowserWindow({});
    backend.listeners.get('status')!({ role: 'MASTER' });
    expect(window.webContents.sent).toEqual([{ channel: 'triad:event:status', payload: { role: 'MASTER' } }]);
    expect(second.webContents.sent).toEqual(window.webContents.sent);
  });
});
