// No `electron` import: runs in plain Node. Starts the referral service from a launch plan
// and waits for its "listening" announcement. The edge supplies `utilityProcess` for
// packaged builds through the `ServiceChild` shape.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseListeningLine, parseListeningMessage, type ServiceLaunchPlan } from './service-plan';

/** What the runner needs from a child process, whichever API started it. */
export interface ServiceChild {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  onError(listener: (error: Error) => void): void;
  kill(): void;
}

export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
}

/** Spawns a `node`-kind plan with the system Node, stdout/stderr piped and an IPC channel. */
export function spawnNodeService(plan: ServiceLaunchPlan & { kind: 'node' }): ServiceChild {
  const child = spawn(plan.command, [...plan.args], {
    env: plan.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    windowsHide: true,
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  };
  // Whatever way this process ends, the service does not outlive it.
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', (code) => listener(code)),
    onError: (listener) => void child.on('error', listener),
    kill,
  };
}

const STDERR_TAIL_CHARS = 2000;

export interface RunningService {
  readonly url: string;
  /** Resolves when the process has exited (immediately if it already has). */
  stop(): Promise<void>;
  /** Called once if the process exits after it was ready. */
  onUnexpectedExit(listener: (code: number | null) => void): void;
}

/**
 * Resolves with the service URL once the child announces it (stdout line or IPC message),
 * or rejects with a `ServiceStartError` on timeout, spawn error or early exit; the child is
 * killed on failure. stdout is drained for the whole life of the child (a full pipe would
 * stall it) but never echoed: it is the service's output, not ours to log. The error message
 * carries the tail of stderr so a failed start can be diagnosed.
 */
export function waitForService(child: ServiceChild, timeoutMs: number): Promise<RunningService> {
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  let exited = false;
  let stopping = false;
  const exitListeners: ((code: number | null) => void)[] = [];
  const exitedPromise = new Promise<void>((resolve) => {
    child.onExit((code) => {
      exited = true;
      resolve();
      if (!stopping) for (const listener of exitListeners) listener(code);
    });
  });

  return new Promise<RunningService>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopping = true;
      child.kill();
      const tail = stderrTail.trim();
      reject(new ServiceStartError(tail ? `${message}\n\nService output:\n${tail}` : message));
    };
    const ready = (url: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url,
        stop: () => {
          stopping = true;
          if (!exited) child.kill();
          return exitedPromise;
        },
        onUnexpectedExit: (listener) => void exitListeners.push(listener),
      });
    };

    const timer = setTimeout(
      () => fail(`The referral service did not report that it was listening within ${Math.round(timeoutMs / 1000)} s.`),
      timeoutMs,
    );
    child.onError((error) => fail(`The referral service could not be started: ${error.message}`));
    child.onExit((code) => fail(`The referral service exited before it was ready (exit code ${code ?? 'none'}).`));
    child.onMessage((message) => {
      const url = parseListeningMessage(message);
      if (url) ready(url);
    });
    if (child.stdout) {
      const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const url = settled ? null : parseListeningLine(line);
        if (url) ready(url);
      });
    }
  });
}
