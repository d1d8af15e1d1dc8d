import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventChannel, invokeChannel } from '../shared/ipcChannels';

// The renderer gets exactly two functions: invoke a contract method, subscribe to a contract event.
// Sandboxed (BrowserWindow sandbox: true): bundled to CommonJS that requires only 'electron'.
contextBridge.exposeInMainWorld('triad', {
  invoke: (method: string, args: unknown) => ipcRenderer.invoke(invokeChannel, method, args),
  on: (event: string, listener: (payload: unknown) => void) => {
    const channel = eventChannel(event);
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.removeListener(channel, handler);
  },
});
