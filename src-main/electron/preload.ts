/**
 * Preload for the sandboxed renderer: exposes exactly the API contract (call, subscribe) through
 * contextBridge. No Node or Electron object reaches the page; main validates every argument again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// The IPC names alone: the sandboxed preload bundles no schema code.
import { IPC } from '../api/contract/ipc';

type Listener = (message: { version: number; data: unknown }) => void;

const listeners = new Map<number, Listener>();
let nextId = 1;

ipcRenderer.on(IPC.event, (_event: IpcRendererEvent, id: unknown, version: unknown, data: unknown) => {
  if (typeof id === 'number' && typeof version === 'number') listeners.get(id)?.({ version, data });
});

const bridge = {
  /** Resolves with the command's result or rejects with `{ code, message }`. */
  async call(command: string, params: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(IPC.call, command, params)) as
      | { ok: true; result: unknown }
      | { ok: false; error: { code: string; message: string } };
    if (reply.ok) return reply.result;
    throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  },
  subscribe(topic: string, params: unknown, listener: Listener, onError: (error: { code: string; message: string }) => void): () => void {
    const id = nextId++;
    listeners.set(id, listener);
    void (ipcRenderer.invoke(IPC.subscribe, id, topic, params) as Promise<{ ok: boolean; error?: { code: string; message: string } }>).then(
      (reply) => {
        if (!reply.ok && reply.error) {
          listeners.delete(id);
          onError(reply.error);
        }
      },
    );
    return () => {
      listeners.delete(id);
      ipcRenderer.send(IPC.unsubscribe, id);
    };
  },
};

contextBridge.exposeInMainWorld('gammadesk', bridge);

export type GammaDeskBridge = typeof bridge;
