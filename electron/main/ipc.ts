// Pure: no `electron` import. Wraps the implementation of each bridge call in the checks every
// IPC handler must make: a trusted sender frame, arguments that parse with the call's schema,
// and a result that parses too. The edge registers the wrapped handlers with `ipcMain.handle`.
import { type z } from 'zod';
import { IPC, type IpcName } from '../../shared/bridge';
import { isTrustedSender } from './policy';

type Args<K extends IpcName> = z.infer<(typeof IPC)[K]['args']>;
type Result<K extends IpcName> = z.infer<(typeof IPC)[K]['result']>;
/** A call whose result schema is `undefined` is implemented by a plain `async` procedure. */
type Returned<K extends IpcName> = undefined extends Result<K> ? (Result<K> extends undefined ? void : Result<K>) : Result<K>;

/** One implementation per channel, typed from the shared schemas. */
export type BridgeImplementation = {
  readonly [K in IpcName]: (...args: Args<K>) => Promise<Returned<K>>;
};

/** The part of Electron's `IpcMainInvokeEvent` the checks read. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export type InvokeHandler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

/** Thrown to the renderer; deliberately says nothing about the arguments (they may be a token). */
export class IpcRejected extends Error {
  override readonly name = 'IpcRejected';
}

/** The sender must be the top-level frame of a `loupe://app` page. */
export function isTrustedEvent(event: InvokeEventLike): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isTrustedSender(frame.url);
}

export function makeIpcHandler<K extends IpcName>(name: K, implementation: BridgeImplementation[K]): InvokeHandler {
  const { channel, args: argsSchema, result: resultSchema } = IPC[name];
  const call = implementation as (...args: unknown[]) => Promise<unknown>;
  return async (event, ...rawArgs) => {
    if (!isTrustedEvent(event)) throw new IpcRejected(`${channel}: untrusted sender`);
    const parsed = argsSchema.safeParse(rawArgs);
    if (!parsed.success) throw new IpcRejected(`${channel}: invalid arguments`);
    const result = await call(...(parsed.data as unknown[]));
    const checked = resultSchema.safeParse(result);
    if (!checked.success) throw new IpcRejected(`${channel}: invalid result`);
    return checked.data;
  };
}

/** `[channel, handler]` for every entry of `IPC`, ready for `ipcMain.handle`. */
export function ipcHandlers(implementation: BridgeImplementation): [channel: string, handler: InvokeHandler][] {
  return (Object.keys(IPC) as IpcName[]).map((name) => [IPC[name].channel, makeIpcHandler(name, implementation[name])]);
}
