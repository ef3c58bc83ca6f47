import { DEFAULT_SETTINGS, WorkstationSettings } from '../../../shared/workstation-settings';

const KEY = 'loupe.settings';

/** This workstation's settings (not clinical, not secret); anything unreadable falls back to the defaults. */
export function loadSettings(storage: Storage | null): WorkstationSettings {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return DEFAULT_SETTINGS;
    const parsed = WorkstationSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(storage: Storage | null, settings: WorkstationSettings): void {
  storage?.setItem(KEY, JSON.stringify(WorkstationSettings.parse(settings)));
}
