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

/** The part of Electron's `IpcMainInvokeEvent` the checks read. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/**
 * One implementation per channel, typed from the shared schemas. Each also receives the
 * (already checked) event after its arguments, for the calls that act on the page that asked
 * (printing it to PDF); `E` is Electron's event type at the edge, a plain object in tests.
 */
export type BridgeImplementation<E extends InvokeEventLike = InvokeEventLike> = {
  readonly [K in IpcName]: (...args: [...Args<K>, E]) => Promise<Returned<K>>;
};

export type InvokeHandler<E extends InvokeEventLike = InvokeEventLike> = (event: E, ...args: unknown[]) => Promise<unknown>;

/** Thrown to the renderer; deliberately says nothing about the arguments (they may be a token). */
export class IpcRejected extends Error {
  override readonly name = 'IpcRejected';
}

/** The sender must be the top-level frame of a `loupe://app` page. */
export function isTrustedEvent(event: InvokeEventLike): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isTrustedSender(frame.url);
}

export function makeIpcHandler<K extends IpcName, E extends InvokeEventLike = InvokeEventLike>(
  name: K,
  implementation: BridgeImplementation<E>[K],
): InvokeHandler<E> {
  const { channel, args: argsSchema, result: resultSchema } = IPC[name];
  const call = implementation as (...args: unknown[]) => Promise<unknown>;
  return async (event, ...rawArgs) => {
    if (!isTrustedEvent(event)) throw new IpcRejected(`${channel}: untrusted sender`);
    const parsed = argsSchema.safeParse(rawArgs);
    if (!parsed.success) throw new IpcRejected(`${channel}: invalid arguments`);
    const result = await call(...(parsed.data as unknown[]), event);
    const checked = resultSchema.safeParse(result);
    if (!checked.success) throw new IpcRejected(`${channel}: invalid result`);
    return checked.data;
  };
}

/** `[channel, handler]` for every entry of `IPC`, ready for `ipcMain.handle`. */
export function ipcHandlers<E extends InvokeEventLike>(implementation: BridgeImplementation<E>): [channel: string, handler: InvokeHandler<E>][] {
  return (Object.keys(IPC) as IpcName[]).map((name) => [IPC[name].channel, makeIpcHandler<IpcName, E>(name, implementation[name])]);
}
