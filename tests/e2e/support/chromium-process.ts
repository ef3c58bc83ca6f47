/**
 * Debian's Chromium as a real child process that a test can kill like a power cut or a crash:
 * SIGKILL to its whole process group, no shutdown, nothing flushed that was not already
 * written. Playwright drives it over CDP, so the test sees the browser's own default context
 * with its on-disk profile, which a relaunch on the same folder picks up again.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';

// As playwright.config.ts (keep in step): Debian's Chromium, no reaching out from this machine.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface KillableChromium {
  browser: Browser;
  /** The browser's default context: the profile on disk, not an incognito-like one. */
  context: BrowserContext;
  page: Page;
  pid: number;
  /** SIGKILL to the whole process group; resolves once no process of it is left. */
  kill(): Promise<void>;
}

export interface LaunchOptions {
  userDataDir: string;
  headless?: boolean;
  args?: string[];
}

/** Lock files a killed Chromium leaves; with them a relaunch may refuse the profile as in use. */
const SINGLETON_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'];

/**
 * Removes the lock files and the socket folder (in /tmp) of a Chromium that no longer runs.
 * Only ever called when no Chromium of ours runs on this profile.
 */
function removeSingletons(userDataDir: string): void {
  try {
    const socketDir = path.dirname(readlinkSync(path.join(userDataDir, 'SingletonSocket')));
    if (path.dirname(socketDir) === tmpdir() && path.basename(socketDir).startsWith('org.chromium.')) rmSync(socketDir, { recursive: true, force: true });
  } catch {
    // no socket link
  }
  for (const f of SINGLETON_FILES) rmSync(path.join(userDataDir, f), { force: true });
}

/** Live (not zombie) processes in a process group, from /proc (Linux). */
function liveGroupMembers(pgid: number): number[] {
  const live: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') live.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return live;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function launchKillableChromium(opts: LaunchOptions): Promise<KillableChromium> {
  const { userDataDir, headless = true } = opts;
  mkdirSync(userDataDir, { recursive: true });
  removeSingletons(userDataDir);
  rmSync(path.join(userDataDir, 'DevToolsActivePort'), { force: true }); // a stale port

  const args = [
    ...ARGS,
    ...(opts.args ?? []),
    `--user-data-dir=${userDataDir}`,
    '--remote-debugging-port=0',
    '--no-sandbox', // the tests run as root
    '--no-default-browser-check',
    '--password-store=basic', // no desktop keyring on this machine
    '--window-size=1600,1000', // the e2e project's viewport
    ...(headless ? ['--headless'] : []),
    'about:blank',
  ];
  // detached: a process group of its own, so kill() reaches every helper process.
  const child = spawn(CHROMIUM_PATH, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${CHROMIUM_PATH}`);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let disconnected: Promise<void> = Promise.resolve();
  const kill = async () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
    await exit;
    // Helpers are reparented when the main process dies; wait for them too, so the profile's
    // files are no longer written by anyone.
    await until(`Chromium process group ${pid} to end`, 10_000, () => (liveGroupMembers(pid).length === 0 ? true : undefined));
    removeSingletons(userDataDir);
    // Playwright must have seen the connection drop before anyone (its tracing) uses it again.
    await disconnected;
  };

  try {
    // Chromium writes the port it chose into the profile (also logged on stderr).
    const port = await until(`DevToolsActivePort in ${userDataDir}:\n${stderr}`, 30_000, () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Chromium exited at start:\n${stderr}`);
      try {
        const first = readFileSync(path.join(userDataDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
        return first && /^\d+$/.test(first) ? Number(first) : undefined;
      } catch {
        return undefined;
      }
    });
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    disconnected = new Promise((resolve) => browser.once('disconnected', () => resolve()));
    const context = browser.contexts()[0];
    if (!context) throw new Error('Chromium has no default context');
    const page = context.pages()[0] ?? (await context.newPage());
    return { browser, context, page, pid, kill };
  } catch (err) {
    await kill();
    throw err;
  }
}
