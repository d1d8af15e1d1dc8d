import { beforeAll, describe, expect, it, vi } from 'vitest';
import { contextBridge, ipcRenderer } from '../main/fakeElectron';

vi.mock('electron', () => import('../main/fakeElectron'));

interface Bridge {
  invoke(method: string, args: unknown): Promise<unknown>;
  on(event: string, listener: (...received: unknown[]) => void): () => void;
}

let bridge: Bridge;

beforeAll(async () => {
  await import('../../../src/preload/index');
  bridge = contextBridge.exposed.get('triad') as Bridge;
});

describe('the IPC bridge the preload gives the renderer', () => {
  it('exposes exactly window.triad with invoke and on, nothing else', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['triad']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
  });

  it('invoke sends a contract call over the one invoke channel and hands back the answer', async () => {
    expect(await bridge.invoke('status.get', { x: 1 })).toEqual({ ok: true, value: 'answer' });
    expect(ipcRenderer.invoked).toEqual([{ channel: 'triad:invoke', args: ['status.get', { x: 1 }] }]);
  });

  it('on delivers the payload only (never the IPC event and its sender), until unsubscribed', () => {
    const received: unknown[][] = [];
    const unsubscribe = bridge.on('status', (...args) => received.push(args));
    ipcRenderer.emit('triad:event:status', { sender: 'the IPC event' }, { role: 'MASTER' });
    ipcRenderer.emit('triad:event:log', { sender: 'the IPC event' }, 'another event');
    expect(received).toEqual([[{ role: 'MASTER' }]]);
    unsubscribe();
    expect(ipcRenderer.listenerCount('triad:event:status')).toBe(0);
    ipcRenderer.emit('triad:event:status', {}, { role: 'SLAVE' });
    expect(received).toHaveLength(1);
  });
});
