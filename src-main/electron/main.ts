/**
 * Electron main process: one window with a sandboxed, context-isolated renderer, the CSP as a response
 * header, and the API over validated IPC. Thin: everything else lives in app/.
 */
import { app, BrowserWindow, ipcMain, Notification, safeStorage, session, shell, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IPC, type Unsubscribe } from '../api/contract';
import type { AlertsDto } from '../api/contract/alerts';
import { AlertNotifier } from '../app/alertNotifier';
import { toErrorBody } from '../api/errors';
import { GammaDeskApp } from '../app/app';
import { EncryptedFileSecretStore, EnvSecretStore, fileBlob } from '../app/secrets';
import { CONTENT_SECURITY_POLICY } from '../app/csp';
import { DB_FILE_NAME, deribitUrlOverride } from '../app/paths';
import { riskHistoryFromEnv } from '../app/whatIfService';
import { builtPaths } from '../cli/builtPaths';

let core: GammaDeskApp | null = null;
const subscriptions = new Map<WebContents, Map<number, Unsubscribe>>();

function dbPathFromArgs(): string {
  const index = process.argv.indexOf('--db');
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value ?? join(app.getPath('userData'), DB_FILE_NAME);
}

function wireIpc(hub: GammaDeskApp['hub']): void {
  ipcMain.handle(IPC.call, async (_event, command: unknown, params: unknown) => {
    try {
      return { ok: true, result: await hub.call(command, params) };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  });
  ipcMain.handle(IPC.subscribe, (event, id: unknown, topic: unknown, params: unknown) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'subscription id must be an integer' } };
    const sender = event.sender;
    let forSender = subscriptions.get(sender);
    if (!forSender) {
      forSender = new Map();
      subscriptions.set(sender, forSender);
      sender.once('destroyed', () => {
        for (const unsubscribe of subscriptions.get(sender)?.values() ?? []) unsubscribe();
        subscriptions.delete(sender);
      });
    }
    try {
      forSender.get(id)?.();
      forSender.set(
        id,
        hub.subscribe(topic, params, (message) => {
          if (!sender.isDestroyed()) sender.send(IPC.event, id, message.version, message.data);
        }),
      );
      return { ok: true };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  });
  ipcMain.on(IPC.unsubscribe, (event, id: unknown) => {
    if (typeof id !== 'number') return;
    subscriptions.get(event.sender)?.get(id)?.();
    subscriptions.get(event.sender)?.delete(id);
  });
}

async function createWindow(): Promise<void> {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0d1117',
    title: 'GammaDesk',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  // Navigation away from our own page and new windows are refused; external links open in the browser.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  await window.loadFile(join(builtPaths().rendererDir, 'index.html'));
}

void app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const nativeBinding = join(app.getAppPath(), '.electron-native', 'better_sqlite3.node');
  const dbPath = dbPathFromArgs();
  // The Deribit key: the environment variables when set, else the key saved encrypted by safeStorage (0600 file).
  const env = new EnvSecretStore();
  const secrets = env.deribitCredentials() ? env : new EncryptedFileSecretStore(safeStorage, fileBlob(join(dirname(dbPath), 'deribit-key.bin')));
  core = GammaDeskApp.start({
    dbPath,
    secrets,
    mode: 'electron',
    worker: { filename: builtPaths().worker },
    ...deribitUrlOverride(),
    ...riskHistoryFromEnv(),
    ...(existsSync(nativeBinding) ? { nativeBinding } : {}),
  });
  wireIpc(core.hub);
  // Alerts as desktop notifications from the main process (Electron's Notification): the renderer's web
  // Notification API stays refused like every other permission.
  const notifier = new AlertNotifier(({ title, body }) => {
    if (Notification.isSupported()) new Notification({ title, body }).show();
  });
  core.hub.subscribe('alerts', {}, (message) => notifier.onAlerts(message.data as AlertsDto));
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

app.on('window-all-closed', () => {
  void core?.stop().finally(() => app.quit());
});
