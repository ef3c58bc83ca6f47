import type { LoupeBridge } from '../../../shared/bridge';
import { createBrowserHost } from './browser-host';

/** The desktop app's preload bridge when there is one, otherwise the browser host. */
export function selectHost(win: Window = window): LoupeBridge {
  return win.loupe ?? createBrowserHost(win);
}
