/** IPC channel names (Electron). Its own module so the sandboxed preload bundles no schema code. */
export const IPC = {
  call: 'gammadesk:call',
  subscribe: 'gammadesk:subscribe',
  unsubscribe: 'gammadesk:unsubscribe',
  event: 'gammadesk:event',
} as const;
