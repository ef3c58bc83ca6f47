import type { LoupeBridge } from '../../shared/bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent when the renderer is served to a plain browser. */
    readonly loupe?: LoupeBridge;
  }
}

export {};
