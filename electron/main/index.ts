// Edge: the Electron main process. Wiring only; every decision it applies lives in a module
// that runs in plain Node and is unit-tested (policy, app-files, service-plan, service-runner,
// token-store, device-key-store, ipc). Never log clinical text, tokens or keys from here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, type IpcMainInvokeEvent } from 'electron';
import { APP_ORIGIN } from '../../shared/bridge';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { DeviceKeyStore } from './device-key-store';
import { denyPermissions, guardAllWebContents } from './guards';
import { type BridgeImplementation, ipcHandlers } from './ipc';
import { saveLetterPdf } from './letter-pdf';
import { secureWebPreferences } from './policy';
import { choosePdfPath } from './save-dialog';
import { createTokenStore } from './secure-storage';
import { startService } from './service-host';
import { SERVICE_READY_TIMEOUT_MS, serviceLaunchPlan } from './service-plan';
import { type RunningService } from './service-runner';

const APP_ID = 'org.loupe.workstation';
const SERVICE_STOP_TIMEOUT_MS = 5_000;

// Bundled to out/main/index.js; its siblings are out/preload, out/renderer and out/service
// (inside app.asar when packaged).
const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRELOAD_PATH = path.join(outDir, 'preload', 'index.cjs');
const RENDERER_ROOT = path.join(outDir, 'renderer');
const SERVICE_ENTRY = path.join(outDir, 'service', 'main.js');

const log = {
  warn: (message: string): void => console.warn(`[loupe] ${message}`),
  error: (message: string): void => console.error(`[loupe] ${message}`),
};

// Before `ready`: where user data lives (tests use a throw-away folder), the scheme's
// privileges, the sandbox for every renderer, and the guards on every web contents.
const userDataOverride = process.env.LOUPE_USER_DATA_DIR?.trim();
if (userDataOverride) app.setPath('userData', path.resolve(userDataOverride));
registerAppScheme();
app.enableSandbox();
guardAllWebContents();
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

let quitting = false;
let service: RunningService | null = null;

function fatal(title: string, detail: string): void {
  if (quitting) return;
  log.error(`${title}: ${detail.split('\n', 1)[0] ?? ''}`);
  dialog.showErrorBox(title, detail);
  quitting = true;
  app.quit();
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Loupe',
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    webPreferences: secureWebPreferences(PRELOAD_PATH),
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(`${APP_ORIGIN}/`).catch((error: unknown) => {
    log.error(`the workstation page did not load: ${error instanceof Error ? error.message : String(error)}`);
  });
  return window;
}

function start(): void {
  const ready = app.whenReady();

  const serviceUrl: Promise<string> = ready.then(async () => {
    const plan = serviceLaunchPlan({
      packaged: app.isPackaged,
      serviceEntry: SERVICE_ENTRY,
      userDataDir: app.getPath('userData'),
      env: process.env,
    });
    service = await startService(plan, SERVICE_READY_TIMEOUT_MS);
    service.onUnexpectedExit((code) =>
      fatal('Loupe: the referral service stopped', `The embedded referral service exited (exit code ${code ?? 'none'}). Loupe will close; start it again.`),
    );
    return service.url;
  });
  serviceUrl.catch((error: unknown) =>
    fatal('Loupe cannot start', error instanceof Error ? error.message : 'The referral service could not be started.'),
  );

  const tokens = ready.then(() => createTokenStore(path.join(app.getPath('userData'), 'token.bin'), log.warn));
  const deviceKeys = ready.then(
    () => new DeviceKeyStore({ storage: safeStorage, filePath: path.join(app.getPath('userData'), 'device-keys.json'), warn: log.warn }),
  );

  const bridge: BridgeImplementation<IpcMainInvokeEvent> = {
    appVersion: async () => app.getVersion(),
    // The start-up failure (with the service's own output) goes to the dialog, not the page.
    serviceUrl: () =>
      serviceUrl.catch(() => {
        throw new Error('the referral service is not running');
      }),
    loadToken: async () => (await tokens).load(),
    saveToken: async (token) => (await tokens).save(token),
    clearToken: async () => (await tokens).clear(),
    deviceKey: async (userId) => (await deviceKeys).secretFor(userId),
    // Prints the page that asked (its sender frame was checked): the letter preview.
    saveLetterPdf: (request, event) => saveLetterPdf(request, event.sender, { choosePath: (name) => choosePdfPath(event.sender, name) }),
  };

  void ready.then(() => {
    denyPermissions(session.defaultSession);
    handleAppProtocol(RENDERER_ROOT, serviceUrl);
    for (const [channel, handler] of ipcHandlers(bridge)) ipcMain.handle(channel, handler);
    createWindow();
  });

  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  // Stop the service before exiting; give it a few seconds to close its database.
  app.on('will-quit', (event) => {
    const running = service;
    if (!running) return;
    service = null;
    event.preventDefault();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, SERVICE_STOP_TIMEOUT_MS));
    void Promise.race([running.stop(), timeout]).finally(() => app.quit());
  });
}

// One instance per user-data folder: two would run two services on one database.
if (app.requestSingleInstanceLock()) {
  start();
} else {
  app.quit();
}
