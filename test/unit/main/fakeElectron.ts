/**
 * A fake of the parts of the 'electron' module that src/main and src/preload use, for
 * `vi.mock('electron', () => import('./fakeElectron'))`: Electron's binary cannot run here. It
 * records what the shell did (windows, dialogs, tray menu, IPC) and lets a test do what a person
 * or the system would (close the window, click a tray item, start a second instance).
 * resetFakeElectron() between tests.
 */
import { EventEmitter } from 'node:events';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

class FakeApp extends EventEmitter {
  hasSingleInstanceLock = true;
  /** Set when the app quits or exits: Electron ends the process there. */
  quitted = false;
  exitCode: number | null = null;
  relaunched = false;
  openAtLogin = false;

  requestSingleInstanceLock(): boolean {
    return this.hasSingleInstanceLock;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  /** As Electron: 'before-quit' first, whose handler may prevent the quit. */
  quit(): void {
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  }

  exit(code = 0): void {
    this.exitCode = code;
    this.quitted = true;
  }

  relaunch(): void {
    this.relaunched = true;
  }

  reset(): void {
    this.removeAllListeners();
    this.hasSingleInstanceLock = true;
    this.quitted = false;
    this.exitCode = null;
    this.relaunched = false;
    this.openAtLogin = false;
  }

  getLoginItemSettings() {
    return { openAtLogin: this.openAtLogin };
  }

  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.openAtLogin = settings.openAtLogin;
  }
}

export const app = new FakeApp();

export interface WebPreferences {
  preload?: string;
  contextIsolation?: boolean;
  sandbox?: boolean;
  nodeIntegration?: boolean;
}

export class BrowserWindow extends EventEmitter {
  static windows: BrowserWindow[] = [];
  readonly webContents = {
    sent: [] as { channel: string; payload: unknown }[],
    send: (channel: string, payload: unknown) => this.webContents.sent.push({ channel, payload }),
  };
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  loadedFile: string | null = null;
  loadedUrl: string | null = null;

  constructor(readonly options: { show?: boolean; webPreferences?: WebPreferences }) {
    super();
    BrowserWindow.windows.push(this);
  }

  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.windows.filter((win) => !win.destroyed);
  }

  show(): void {
    this.visible = true;
  }

  hide(): void {
    this.visible = false;
    this.focused = false;
  }

  focus(): void {
    this.focused = true;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  minimize(): void {
    this.minimized = true;
  }

  restore(): void {
    this.minimized = false;
  }

  loadFile(file: string): Promise<void> {
    this.loadedFile = file;
    return Promise.resolve();
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }

  /** The person closes the window: 'close' first, whose handler may prevent it. */
  close(): void {
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.visible = false;
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed', fakeEvent());
  }
}

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string): void {
    dialog.errors.push({ title, content });
  },
};

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  },
};

export interface MenuItemTemplate {
  label?: string;
  type?: string;
  checked?: boolean;
  click?: (item: { checked: boolean }) => void;
}

export const Menu = {
  applicationMenu: undefined as unknown,
  setApplicationMenu(menu: unknown): void {
    Menu.applicationMenu = menu;
  },
  buildFromTemplate(items: MenuItemTemplate[]) {
    return { items };
  },
};

export class Tray extends EventEmitter {
  static trays: Tray[] = [];
  tooltip = '';
  menu: { items: MenuItemTemplate[] } | null = null;

  constructor(readonly image: unknown) {
    super();
    Tray.trays.push(this);
  }

  setToolTip(text: string): void {
    this.tooltip = text;
  }

  setContextMenu(menu: { items: MenuItemTemplate[] }): void {
    this.menu = menu;
  }

  /** Clicks the context-menu item whose label starts with `label`. */
  clickItem(label: string, checked = false): void {
    const item = this.menu?.items.find((candidate) => candidate.label?.startsWith(label));
    if (!item?.click) throw new Error(`no tray menu item "${label}" in ${JSON.stringify(this.menu?.items.map((i) => i.label))}`);
    item.click({ checked });
  }
}

export const nativeImage = {
  createFromBitmap: (buffer: Buffer, size: { width: number; height: number }) => ({ buffer, size }),
};

// The preload's side.
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    contextBridge.exposed.set(key, api);
  },
};

class FakeIpcRenderer extends EventEmitter {
  invoked: { channel: string; args: unknown[] }[] = [];

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return Promise.resolve({ ok: true, value: 'answer' });
  }

  reset(): void {
    this.removeAllListeners();
    this.invoked = [];
  }
}

export const ipcRenderer = new FakeIpcRenderer();

export function resetFakeElectron(): void {
  app.reset();
  BrowserWindow.windows = [];
  dialog.errors = [];
  ipcMain.handlers.clear();
  Menu.applicationMenu = undefined;
  Tray.trays = [];
  contextBridge.exposed.clear();
  ipcRenderer.reset();
}
