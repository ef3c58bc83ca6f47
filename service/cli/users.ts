import { Role } from '../../shared/contract';
import { newUser, throttleKey } from '../auth/session-service';
import { hashPassword } from '../auth/passwords';
import { configFromArgs, UsageError } from '../config';
import { openRepository } from '../open-service';
import type { Repository, UserRow } from '../repo/repository';

/*
 * `loupe-service users …`: user management against the service's own database, through the
 * `Repository` interface only, so it works the same on SQLite and PostgreSQL and beside a
 * running service. Pure parts (arguments, password rules, key handling, the table) are
 * separate from the I/O below them and unit tested.
 */

export const MIN_PASSWORD_LENGTH = 12;
/** The sign-in request accepts at most this many characters; a longer password could never be used. */
export const MAX_PASSWORD_LENGTH = 1000;

export const USERS_USAGE = `usage: loupe-service users add <username> --name "<full name>" --role <role> [--password-stdin] [--data <dir>]
       loupe-service users list [--data <dir>]
       loupe-service users disable <username> [--data <dir>]
       loupe-service users enable <username> [--data <dir>]
       loupe-service users reset-password <username> [--password-stdin] [--data <dir>]
roles: ${Role.options.join(', ')}
The database is the service's own: SQLite in --data <dir> (or LOUPE_DATA_DIR), or PostgreSQL
at DATABASE_URL. Passwords (${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters) are never taken on the command line: with
--password-stdin the first line of standard input is used, otherwise they are asked for twice
on the terminal without echo. disable also ends the user's sessions at once; reset-password too.
exit status: 0 done, 1 failed, 2 usage error`;

export type UsersCommand =
  | { kind: 'help' }
  | { kind: 'list'; storageArgs: string[] }
  | { kind: 'add'; username: string; name: string; role: Role; passwordStdin: boolean; storageArgs: string[] }
  | { kind: 'disable' | 'enable'; username: string; storageArgs: string[] }
  | { kind: 'reset-password'; username: string; passwordStdin: boolean; storageArgs: string[] };

const SUBCOMMANDS = ['add', 'list', 'disable', 'enable', 'reset-password'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
const isSubcommand = (s: string | undefined): s is Subcommand => (SUBCOMMANDS as readonly string[]).includes(s ?? '');

/** Which flags each subcommand takes (`--data` and `--help`: all of them). */
const FLAGS: Record<Subcommand, readonly string[]> = {
  add: ['--name', '--role', '--password-stdin'],
  list: [],
  disable: [],
  enable: [],
  'reset-password': ['--password-stdin'],
};
const VALUE_FLAGS = new Set(['--name', '--role', '--data']);

const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,99}$/u;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const usage = (message: string) => new UsageError(`${message}\n${USERS_USAGE}`);

/** Parses the arguments after `users`; throws `UsageError` for anything it does not understand. */
export function parseUsersArgs(argv: readonly string[]): UsersCommand {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    if (sub === undefined) throw usage('users: name a subcommand');
    return { kind: 'help' };
  }
  if (!isSubcommand(sub)) throw usage(`users: unknown subcommand "${sub}"`);
  const values = new Map<string, string>();
  const positional: string[] = [];
  let passwordStdin = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--help') return { kind: 'help' };
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--password' || flag.startsWith('--password=')) {
      throw usage('users: passwords are never taken on the command line (they would stay in shell history and show in ps); use --password-stdin or type it at the prompt');
    }
    if (flag !== '--data' && !FLAGS[sub].includes(flag)) throw usage(`users ${sub}: unknown argument ${flag}`);
    if (!VALUE_FLAGS.has(flag)) {
      if (eq > 0) throw usage(`users ${sub}: ${flag} takes no value`);
      passwordStdin = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw usage(`users ${sub}: ${flag} needs a value`);
    }
    if (values.has(flag)) throw usage(`users ${sub}: ${flag} given twice`);
    values.set(flag, value);
  }
  const data = values.get('--data');
  const storageArgs = data === undefined ? [] : ['--data', data];

  if (sub === 'list') {
    if (positional.length) throw usage(`users list: unexpected argument "${positional[0]}"`);
    return { kind: 'list', storageArgs };
  }
  if (positional.length !== 1) throw usage(`users ${sub}: give exactly one username`);
  const username = positional[0]!;
  if (!USERNAME.test(username)) {
    throw usage(`users ${sub}: a username is 1 to 100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  }
  if (sub === 'add') {
    const name = values.get('--name')?.trim();
    if (!name) throw usage('users add: --name "<full name>" is required');
    if (name.length > 200 || CONTROL.test(name)) throw usage('users add: --name must be at most 200 characters, without control characters');
    const role = Role.safeParse(values.get('--role'));
    if (!role.success) throw usage(`users add: --role must be one of ${Role.options.join(', ')}`);
    return { kind: 'add', username, name, role: role.data, passwordStdin, storageArgs };
  }
  if (sub === 'reset-password') return { kind: 'reset-password', username, passwordStdin, storageArgs };
  return { kind: sub, username, storageArgs };
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `the password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  return null;
}

/** The first line of `text` without its line ending, or undefined when there is no line end yet. */
export function firstLine(text: string): string | undefined {
  const nl = text.indexOf('\n');
  return nl < 0 ? undefined : text.slice(0, nl).replace(/\r$/, '');
}

export interface PromptState {
  value: string;
  done: boolean;
  cancelled: boolean;
}

export const EMPTY_PROMPT: PromptState = { value: '', done: false, cancelled: false };

/**
 * Applies keys typed at a no-echo prompt (a terminal in raw mode): Enter ends, Ctrl-C cancels,
 * Ctrl-D ends (cancels when nothing was typed), Backspace deletes, Ctrl-U clears; escape
 * sequences (arrow keys) and other control keys are ignored rather than becoming part of it.
 */
export function applyKeys(state: PromptState, keys: string): PromptState {
  let { value } = state;
  if (state.done || state.cancelled) return state;
  // eslint-disable-next-line no-control-regex
  const tokens = keys.match(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[^[]?|[\s\S]/gu) ?? [];
  for (const t of tokens) {
    if (t === '\r' || t === '\n') return { value, done: true, cancelled: false };
    if (t === '\u0003') return { value: '', done: false, cancelled: true };
    if (t === '\u0004') return value ? { value, done: true, cancelled: false } : { value: '', done: false, cancelled: true };
    if (t === '\u007f' || t === '\b') value = [...value].slice(0, -1).join('');
    else if (t === '\u0015') value = '';
    else if (!CONTROL.test(t) && !t.startsWith('\u001b')) value += t;
  }
  return { value, done: false, cancelled: false };
}

const printable = (s: string) => s.replace(new RegExp(CONTROL.source, 'gu'), '?');

/** Users as an aligned table: username, name, role, status, created (UTC). Never a hash. */
export function formatUserTable(users: readonly Pick<UserRow, 'username' | 'name' | 'role' | 'disabled' | 'createdAt'>[]): string {
  if (users.length === 0) return 'no users\n';
  const rows = [
    ['username', 'name', 'role', 'status', 'created (UTC)'],
    ...users.map((u) => [printable(u.username), printable(u.name), u.role, u.disabled ? 'disabled' : 'active', u.createdAt.slice(0, 16).replace('T', ' ')]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  return rows.map((r) => r.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join('  ').trimEnd()).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// I/O

/** A refusal with a message for the operator: exit status 1. */
export class UsersCliFailure extends Error {}

interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface UsersIo {
  env: NodeJS.ProcessEnv;
  stdin: TerminalInput;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  now?: () => Date;
}

/** Reads the first line of a stream (the password from `--password-stdin`), then stops reading. */
export async function readFirstLine(input: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const line = firstLine(text);
    if (line !== undefined) return line;
    if (text.length > 4 * MAX_PASSWORD_LENGTH) break;
  }
  if (text.length > 4 * MAX_PASSWORD_LENGTH) throw new UsersCliFailure('users: the first line of standard input is too long for a password');
  return text.replace(/\r$/, '');
}

/** Asks on the terminal with echo off; resolves undefined when the operator cancels. */
function promptHidden(io: UsersIo, question: string): Promise<string | undefined> {
  const { stdin } = io;
  io.stderr.write(question);
  return new Promise((resolve, reject) => {
    let state = EMPTY_PROMPT;
    const finish = (value: string | undefined) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('error', onError);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      state = applyKeys(state, typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (state.cancelled) finish(undefined);
      else if (state.done) finish(state.value);
    };
    const onError = (err: Error) => {
      stdin.setRawMode?.(false);
      reject(err);
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.on('error', onError);
    stdin.resume();
  });
}

async function readNewPassword(io: UsersIo, username: string, fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin) {
    password = await readFirstLine(io.stdin as AsyncIterable<Buffer | string>);
  } else {
    if (!io.stdin.isTTY || !io.stdin.setRawMode) {
      throw new UsageError(`users: there is no terminal to ask for the password on; send it on standard input with --password-stdin\n${USERS_USAGE}`);
    }
    const first = await promptHidden(io, `New password for ${username}: `);
    if (first === undefined) throw new UsersCliFailure('users: cancelled');
    const problem = passwordProblem(first);
    if (problem) throw new UsersCliFailure(`users: ${problem}`);
    const again = await promptHidden(io, 'Type it again: ');
    if (again === undefined) throw new UsersCliFailure('users: cancelled');
    if (again !== first) throw new UsersCliFailure('users: the two passwords differ; nothing changed');
    password = first;
  }
  const problem = passwordProblem(password);
  if (problem) throw new UsersCliFailure(`users: ${problem}; nothing changed`);
  return password;
}

async function existingUser(repo: Repository, username: string): Promise<UserRow> {
  const user = await repo.read((tx) => tx.findUserByUsername(username));
  if (!user) throw new UsersCliFailure(`users: there is no user "${username}"`);
  return user;
}

/** Carries out a parsed command on an open repository; each change is audited in its transaction. */
export async function executeUsersCommand(repo: Repository, cmd: Exclude<UsersCommand, { kind: 'help' }>, io: UsersIo): Promise<void> {
  const at = () => (io.now ?? (() => new Date()))().toISOString();
  const out = (line: string) => io.stdout.write(`${line}\n`);
  switch (cmd.kind) {
    case 'list': {
      io.stdout.write(formatUserTable(await repo.read((tx) => tx.listUsers())));
      return;
    }
    case 'add': {
      // Refuse before asking for a password the operator would type in vain.
      if (await repo.read((tx) => tx.findUserByUsername(cmd.username))) throw new UsersCliFailure(`users: user "${cmd.username}" already exists; nothing changed`);
      const password = await readNewPassword(io, cmd.username, cmd.passwordStdin);
      // Hashed outside the transaction: scrypt is slow and must not hold the write lock.
      const user = await newUser(cmd.username, cmd.name, cmd.role, password, new Date(at()));
      await repo.transaction(async (tx) => {
        if (await tx.findUserByUsername(cmd.username)) throw new UsersCliFailure(`users: user "${cmd.username}" already exists; nothing changed`);
        await tx.insertUser(user);
        await tx.appendAudit({ actorId: null, action: 'user.add', entityType: 'user', entityId: user.id, detail: { via: 'cli', username: user.username, role: user.role } }, at());
      });
      out(`added ${user.role} "${user.username}" (${user.name})`);
      return;
    }
    case 'disable':
    case 'enable': {
      const disable = cmd.kind === 'disable';
      const found = await existingUser(repo, cmd.username);
      if (found.disabled === disable) {
        out(`user "${cmd.username}" is already ${disable ? 'disabled' : 'active'}; nothing changed`);
        return;
      }
      const revoked = await repo.transaction(async (tx) => {
        const user = await tx.getUser(found.id);
        if (!user) throw new UsersCliFailure(`users: there is no user "${cmd.username}"`);
        await tx.updateUser({ ...user, disabled: disable });
        // A disabled user's tokens stop working at once (authentication also checks the flag).
        const n = disable ? await tx.revokeSessionsForUser(user.id, at()) : 0;
        await tx.appendAudit({ actorId: null, action: `user.${cmd.kind}`, entityType: 'user', entityId: user.id, detail: disable ? { via: 'cli', sessionsRevoked: n } : { via: 'cli' } }, at());
        return n;
      });
      out(disable ? `disabled "${cmd.username}"; ended ${revoked} session${revoked === 1 ? '' : 's'}` : `enabled "${cmd.username}"`);
      return;
    }
    case 'reset-password': {
      const found = await existingUser(repo, cmd.username);
      const password = await readNewPassword(io, cmd.username, cmd.passwordStdin);
      const passwordHash = await hashPassword(password);
      const revoked = await repo.transaction(async (tx) => {
        const user = await tx.getUser(found.id);
        if (!user) throw new UsersCliFailure(`users: there is no user "${cmd.username}"`);
        await tx.updateUser({ ...user, passwordHash });
        // Whoever knew the old password loses their sessions, and the user is let in at once.
        const n = await tx.revokeSessionsForUser(user.id, at());
        await tx.clearSignInFailures(throttleKey(user.username));
        await tx.appendAudit({ actorId: null, action: 'user.reset-password', entityType: 'user', entityId: user.id, detail: { via: 'cli', sessionsRevoked: n } }, at());
        return n;
      });
      out(`reset the password of "${cmd.username}"; ended ${revoked} session${revoked === 1 ? '' : 's'}`);
      return;
    }
  }
}

/** `users …` as a process: returns the exit status (0 done, 1 failed, 2 usage error). */
export async function runUsersCli(argv: readonly string[], io: UsersIo): Promise<number> {
  let repo: Repository | undefined;
  try {
    const cmd = parseUsersArgs(argv);
    if (cmd.kind === 'help') {
      io.stdout.write(`${USERS_USAGE}\n`);
      return 0;
    }
    const config = configFromArgs(cmd.storageArgs, io.env);
    repo = await openRepository(config);
    await executeUsersCommand(repo, cmd, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    io.stderr.write(`${err instanceof UsersCliFailure ? err.message : `users: failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
    return 1;
  } finally {
    await repo?.close().catch(() => undefined);
  }
}
