// The sandboxed preload: exposes `window.loupe`, one narrow invoke per bridge method, and
// nothing else (never `ipcRenderer` itself). Bundled to one CommonJS file whose only
// `require` is `electron`. Main re-checks the sender and the arguments of every call.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type LoupeBridge, type SaveLetterPdfRequest } from '../../shared/bridge';

const bridge = {
  host: 'electron',
  appVersion: async () => IPC.appVersion.result.parse(await ipcRenderer.invoke(IPC.appVersion.channel)),
  serviceUrl: async () => IPC.serviceUrl.result.parse(await ipcRenderer.invoke(IPC.serviceUrl.channel)),
  loadToken: async () => IPC.loadToken.result.parse(await ipcRenderer.invoke(IPC.loadToken.channel)),
  saveToken: async (token: string) => {
    IPC.saveToken.result.parse(await ipcRenderer.invoke(IPC.saveToken.channel, token));
  },
  clearToken: async () => {
    IPC.clearToken.result.parse(await ipcRenderer.invoke(IPC.clearToken.channel));
  },
  deviceKey: async (userId: string) => IPC.deviceKey.result.parse(await ipcRenderer.invoke(IPC.deviceKey.channel, userId)),
  saveLetterPdf: async (request: SaveLetterPdfRequest) =>
    IPC.saveLetterPdf.result.parse(await ipcRenderer.invoke(IPC.saveLetterPdf.channel, IPC.saveLetterPdf.args.parse([request])[0])),
} as const satisfies LoupeBridge;

contextBridge.exposeInMainWorld('loupe', bridge);
