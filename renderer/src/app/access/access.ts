import Dexie from 'dexie';
import type { LoupeBridge } from '../../../../shared/bridge';
import { ServiceClient, ServiceError, type FetchLike } from '../../../../shared/client/service-client';
import type { UserRef } from '../../../../shared/contract';
import type { WorkstationSettings } from '../../../../shared/workstation-settings';
import { KeyRecord } from '../../data/crypto/key-record';
import { addDeviceWrap, checkPassword, createKeyRecord, rewrapPassword, unlockWithDevice } from '../../data/crypto/key-vault';
import { fromBase64 } from '../../data/crypto/key-record';
import { openRecordDb, recordDbName, type RecordDb } from '../../data/db/record-db';
import { SessionAuth } from '../../data/sync/session-auth';
import { Workspace } from '../../data/workspace';
import { loadLastUser, sameUsername, saveLastUser, type LastUser } from './last-user';

const KEY_RECORD = 'keyRecord';

export interface AccessDeps {
  readonly serviceUrl: string;
  readonly fetch: FetchLike;
  readonly bridge: LoupeBridge;
  readonly storage: Storage | null;
  readonly settings: WorkstationSettings;
  readonly isOnline: () => boolean;
  readonly now?: () => number;
  /** PBKDF2 iterations for new key records (tests lower it). */
  readonly iterations?: number;
}

export type AccessResult =
  | { readonly ok: true; readonly workspace: Workspace; readonly offline: boolean; readonly notice: string | null }
  | { readonly ok: false; readonly message: string };

const WRONG = 'The username or password is not right.';

/**
 * Sign-in and unlock in one step. Online, the service checks the password and the cache key
 * is opened (or made) with it. When the service cannot be reached, the last user who signed
 * in online here may unlock with the same password, checked against the local verifier,
 * within the grace period: they work from the cache, and their changes go out under a fresh
 * token once the service answers.
 */
export async function signInOrUnlock(username: string, password: string, deps: AccessDeps): Promise<AccessResult> {
  const now = deps.now?.() ?? Date.now();
  if (deps.isOnline()) {
    const client = new ServiceClient(deps.serviceUrl, deps.fetch);
    try {
      const session = await client.signIn({ username, password });
      return await openOnline(username, password, session.user, session.token, deps, now);
    } catch (error) {
      if (error instanceof ServiceError) {
        if (error.status === 401) return { ok: false, message: WRONG };
        if (error.status === 429) return { ok: false, message: 'Too many attempts. Wait a minute, then try again.' };
        if (error.status === 400) return { ok: false, message: 'Enter your username and password.' };
      }
      // Unreachable or failing: fall back to the offline unlock below.
    }
  }
  return unlockOffline(username, password, deps, now);
}

async function openOnline(username: string, password: string, user: UserRef, token: string, deps: AccessDeps, now: number): Promise<AccessResult> {
  const db = openRecordDb(user.id);
  const deviceSecret = await loadDeviceSecret(deps.bridge, user.id);
  let notice: string | null = null;
  let record = await readKeyRecord(db);
  let dataKey: CryptoKey | null = null;
  if (record) {
    const check = await checkPassword(record, password);
    if (check.ok) {
      dataKey = check.dataKey;
      if (deviceSecret && !record.byDevice) record = await addDeviceWrap(record, dataKey, deviceSecret);
    } else if (deviceSecret) {
      // The password changed on the service; the desktop's own key still opens the cache.
      dataKey = await unlockWithDevice(record, deviceSecret);
      if (dataKey) record = await rewrapPassword(record, dataKey, password, deps.iterations);
    }
    if (!dataKey) {
      // The cache was locked with a password that is no longer this user's; nothing can read
      // it. Start a fresh one, and say plainly what could not be kept.
      const unsent = await db.outbox.count();
      db.close();
      await Dexie.delete(recordDbName(user.id));
      notice = unsent
        ? `Your offline cache was locked with your previous password and had to be cleared: ${unsent} unsent change${unsent === 1 ? '' : 's'} could not be recovered. Please check your recent decisions.`
        : 'Your offline cache was locked with your previous password and has been cleared.';
      return openOnlineFresh(username, password, user, token, deps, now, notice);
    }
  } else {
    const made = await createKeyRecord({ userId: user.id, password, deviceSecret, ...(deps.iterations ? { iterations: deps.iterations } : {}) });
    record = made.record;
    dataKey = made.dataKey;
  }
  await db.meta.put({ key: KEY_RECORD, value: record });
  return finishOnline(db, dataKey, username, user, token, deps, now, notice);
}

async function openOnlineFresh(username: string, password: string, user: UserRef, token: string, deps: AccessDeps, now: number, notice: string): Promise<AccessResult> {
  const db = openRecordDb(user.id);
  const deviceSecret = await loadDeviceSecret(deps.bridge, user.id);
  const made = await createKeyRecord({ userId: user.id, password, deviceSecret, ...(deps.iterations ? { iterations: deps.iterations } : {}) });
  await db.meta.put({ key: KEY_RECORD, value: made.record });
  return finishOnline(db, made.dataKey, username, user, token, deps, now, notice);
}

async function finishOnline(db: RecordDb, dataKey: CryptoKey, username: string, user: UserRef, token: string, deps: AccessDeps, now: number, notice: string | null): Promise<AccessResult> {
  await deps.bridge.saveToken(token).catch(() => undefined);
  saveLastUser(deps.storage, { userId: user.id, username, name: user.name, role: user.role, onlineAt: now });
  const auth = new SessionAuth({ serviceUrl: deps.serviceUrl, fetch: deps.fetch, userId: user.id, username, token, password: null, saveToken: (t) => deps.bridge.saveToken(t) });
  return { ok: true, workspace: new Workspace(user, db, dataKey, auth, deps.settings), offline: false, notice };
}

async function unlockOffline(username: string, password: string, deps: AccessDeps, now: number): Promise<AccessResult> {
  const last = loadLastUser(deps.storage);
  const unreachable = deps.isOnline() ? 'The referral service cannot be reached.' : 'This workstation is offline.';
  if (!last || !sameUsername(last.username, username)) {
    return {
      ok: false,
      message: last
        ? `${unreachable} Offline, only ${last.name}, who last signed in here, can unlock Loupe.`
        : `${unreachable} Sign in once while connected before working offline.`,
    };
  }
  if (now - last.onlineAt > deps.settings.offlineGraceHours * 3_600_000) {
    return { ok: false, message: `${unreachable} Offline sign-in is allowed for ${deps.settings.offlineGraceHours} hours after you last signed in online; connect to sign in.` };
  }
  const db = openRecordDb(last.userId);
  const record = await readKeyRecord(db);
  if (!record) {
    db.close();
    return { ok: false, message: `${unreachable} This workstation has no offline copy for you yet.` };
  }
  const check = await checkPassword(record, password);
  if (!check.ok) {
    db.close();
    return { ok: false, message: check.reason === 'wrong-password' ? WRONG : 'The offline copy on this workstation is damaged; connect to sign in.' };
  }
  return openWorkspaceFor(last, db, check.dataKey, password, deps, true);
}

/**
 * Opens the workspace of the last user without a password: only on the desktop, where the
 * device key kept by the operating system opens the cache and a token was kept too.
 */
export async function resumeWithDevice(deps: AccessDeps): Promise<Workspace | null> {
  const last = loadLastUser(deps.storage);
  const token = await deps.bridge.loadToken().catch(() => null);
  if (!last || !token) return null;
  const secret = await loadDeviceSecret(deps.bridge, last.userId);
  if (!secret) return null;
  const db = openRecordDb(last.userId);
  const record = await readKeyRecord(db);
  const dataKey = record ? await unlockWithDevice(record, secret) : null;
  if (!dataKey) {
    db.close();
    return null;
  }
  const result = await openWorkspaceFor(last, db, dataKey, null, deps, false);
  return result.ok ? result.workspace : null;
}

async function openWorkspaceFor(last: LastUser, db: RecordDb, dataKey: CryptoKey, password: string | null, deps: AccessDeps, offline: boolean): Promise<AccessResult> {
  const token = await deps.bridge.loadToken().catch(() => null);
  const user: UserRef = { id: last.userId, name: last.name, role: last.role };
  const auth = new SessionAuth({ serviceUrl: deps.serviceUrl, fetch: deps.fetch, userId: last.userId, username: last.username, token, password, saveToken: (t) => deps.bridge.saveToken(t) });
  return {
    ok: true,
    workspace: new Workspace(user, db, dataKey, auth, deps.settings),
    offline,
    notice: offline ? 'Working offline from this workstation’s copy. Your changes are sent when the service can be reached.' : null,
  };
}

async function readKeyRecord(db: RecordDb): Promise<KeyRecord | null> {
  const row = await db.meta.get(KEY_RECORD);
  const parsed = KeyRecord.safeParse(row?.value);
  return parsed.success ? parsed.data : null;
}

async function loadDeviceSecret(bridge: LoupeBridge, userId: string): Promise<Uint8Array | null> {
  try {
    const b64 = await bridge.deviceKey(userId);
    return b64 ? fromBase64(b64) : null;
  } catch {
    return null;
  }
}
