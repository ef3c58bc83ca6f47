/**
 * The workstation's own small, non-clinical records (who last signed in, settings) live in
 * local storage: they must outlive the tab, because offline unlock needs them after a restart.
 */
export function profileStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
