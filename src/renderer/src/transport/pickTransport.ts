import type { Transport } from '../../../shared/contract';
import { createHttpTransport } from './httpTransport';
import { createIpcTransport, type PreloadBridge } from './ipcTransport';

/** Electron's preload puts the bridge on window.triad; a browser talks to the host that served it. */
export function pickTransport(): Transport {
  const bridge = (window as unknown as { triad?: PreloadBridge }).triad;
  return bridge ? createIpcTransport(bridge) : createHttpTransport();
}
