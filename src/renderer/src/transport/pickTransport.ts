import type { Transport } from '../../../shared/contract';
import { createHttpTransport } from './httpTransport';
import { createIpcTransport, type PreloadBridge } from './ipcTransport';

const bridge = () => (window as unknown as { triad?: PreloadBridge }).triad;

/** Electron's preload puts the bridge on window.triad; a browser talks to the host that served it. */
export function pickTransport(): Transport {
  const preload = bridge();
  return preload ? createIpcTransport(preload) : createHttpTransport();
}

/** A browser signed in to the headless host (which can sign out); the desktop window needs no sign-in. */
export function servedByHost(): boolean {
  return bridge() === undefined;
}
