import { DEFAULT_SETTINGS, WorkstationSettings } from '../../../shared/workstation-settings';
import { readStored, writeStored } from './stored-json';

const KEY = 'loupe.settings';

/** This workstation's settings (not clinical, not secret); anything unreadable falls back to the defaults. */
export function loadSettings(storage: Storage | null): WorkstationSettings {
  return readStored(storage, KEY, WorkstationSettings) ?? DEFAULT_SETTINGS;
}

export function saveSettings(storage: Storage | null, settings: WorkstationSettings): void {
  writeStored(storage, KEY, WorkstationSettings, settings);
}
