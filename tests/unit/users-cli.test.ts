import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyKeys, EMPTY_PROMPT, firstLine, formatUserTable, parseUsersArgs, passwordProblem, readFirstLine, runUsersCli } from '../../service/cli/users';
import { UsageError } from '../../service/config';

describe('users command arguments', () => {
  it('parses add with name, role, --password-stdin and --data, in any order', () => {
    expect(parseUsersArgs(['add', 'dr.a', '--name', 'Dr A B', '--role', 'consultant', '--password-stdin', '--data', '/srv/loupe'])).toEqual({
      kind: 'add', username: 'dr.a', name: 'Dr A B', role: 'consultant', passwordStdin: true, storageArgs: ['--data', '/srv/loupe'],
    });
    expect(parseUsersArgs(['add', '--role=admin', '--name=Ops', 'ops'])).toEqual({ kind: 'add', username: 'ops', name: 'Ops', role: 'admin', passwordStdin: false, storageArgs: [] });
  });

  it('parses list, disable, enable and reset-password', () => {
    expect(parseUsersArgs(['list'])).toEqual({ kind: 'list', storageArgs: [] });
    expect(parseUsersArgs(['list', '--data', 'd'])).toEqual({ kind: 'list', storageArgs: ['--data', 'd'] });
    expect(parseUsersArgs(['disable', 'gp'])).toEqual({ kind: 'disable', username: 'gp', storageArgs: [] });
    expect(parseUsersArgs(['enable', 'gp', '--data', 'x'])).toEqual({ kind: 'enable', username: 'gp', storageArgs: ['--data', 'x'] });
    expect(parseUsersArgs(['reset-password', 'gp', '--password-stdin'])).toEqual({ kind: 'reset-password', username: 'gp', passwordStdin: true, storageArgs: [] });
    expect(parseUsersArgs(['list', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], /name a subcommand/],
    [['remove', 'gp'], /unknown subcommand "remove"/],
    [['add', 'gp', '--role', 'referrer'], /--name .* is required/],
    [['add', 'gp', '--name', 'Dr G'], /--role must be one of consultant, registrar, referrer, admin/],
    [['add', 'gp', '--name', 'Dr G', '--role', 'gp'], /--role must be one of/],
    [['add', 'gp', '--name', '   ', '--role', 'admin'], /--name .* is required/],
    [['add', 'gp', '--name', 'Dr \u001b[31mG', '--role', 'admin'], /control characters/],
    [['add', '--name', 'Dr G', '--role', 'admin'], /exactly one username/],
    [['add', 'a', 'b', '--name', 'Dr G', '--role', 'admin'], /exactly one username/],
    [['add', 'has space', '--name', 'X', '--role', 'admin'], /a username is/],
    [['add', '-x', '--name', 'X', '--role', 'admin'], /a username is/],
    [['add', 'gp', '--name'], /--name needs a value/],
    [['add', 'gp', '--name', '--role', 'admin'], /--name needs a value/],
    [['add', 'gp', '--name', 'A', '--name', 'B', '--role', 'admin'], /given twice/],
    [['add', 'gp', '--name', 'A', '--role', 'admin', '--password', 'hunter2hunter2'], /never taken on the command line/],
    [['reset-password', 'gp', '--password=hunter2hunter2'], /never taken on the command line/],
    [['list', 'gp'], /unexpected argument "gp"/],
    [['list', '--role', 'admin'], /unknown argument --role/],
    [['disable', 'gp', '--password-stdin'], /unknown argument --password-stdin/],
    [['disable'], /exactly one username/],
    [['list', '--data'], /--data needs a value/],
    [['reset-password', 'gp', '--password-stdin=yes'], /takes no value/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseUsersArgs(argv)).toThrow(UsageError);
    expect(() => parseUsersArgs(argv)).toThrow(message);
  });

  it('puts the usage text in every usage error', () => {
    expect(() => parseUsersArgs(['nope'])).toThrow(/usage: loupe-service users add/);
  });
});

describe('passwords', () => {
  it('wants 12 to 1000 characters, counted as characters rather than UTF-16 units', () => {
    expect(passwordProblem('short-pw-11')).toMatch(/at least 12/);
    expect(passwordProblem('exactly-12ch')).toBeNull();
    expect(passwordProblem('😀'.repeat(11))).toMatch(/at least 12/);
    expect(passwordProblem('😀'.repeat(12))).toBeNull();
    expect(passwordProblem('x'.repeat(1000))).toBeNull();
    expect(passwordProblem('x'.repeat(1001))).toMatch(/at most 1000/);
  });

  it('takes the first line of standard input, without its line ending', async () => {
    expect(firstLine('secret\nmore')).toBe('secret');
    expect(firstLine('secret\r\n')).toBe('secret');
    expect(firstLine('no end yet')).toBeUndefined();
    expect(await readFirstLine(Readable.from(['correct horse ', 'battery\nsecond line\n']))).toBe('correct horse battery');
    expect(await readFirstLine(Readable.from([Buffer.from('ends at eof\r')]))).toBe('ends at eof');
    expect(await readFirstLine(Readable.from([]))).toBe('');
  });

  it('edits a hidden prompt: backspace, Ctrl-U, arrows ignored, Enter ends, Ctrl-C cancels', () => {
    const typed = (...chunks: string[]) => chunks.reduce(applyKeys, EMPTY_PROMPT);
    expect(typed('abc', 'd\r')).toEqual({ value: 'abcd', done: true, cancelled: false });
    expect(typed('abcx\u007f', '\n')).toEqual({ value: 'abc', done: true, cancelled: false });
    expect(typed('wrong\u0015right\r')).toMatchObject({ value: 'right', done: true });
    expect(typed('ab\u001b[Dc\u001b[A\r')).toMatchObject({ value: 'abc', done: true });
    expect(typed('é😀\u007f\r')).toMatchObject({ value: 'é', done: true });
    expect(typed('abc\u0003')).toEqual({ value: '', done: false, cancelled: true });
    expect(typed('\u0004')).toMatchObject({ cancelled: true });
    expect(typed('abc\u0004')).toMatchObject({ value: 'abc', done: true });
    expect(typed('ab\tc')).toMatchObject({ value: 'abc', done: false });
    // Keys after Enter are not part of it.
    expect(typed('abc\rdef')).toMatchObject({ value: 'abc', done: true });
  });
});

describe('user table', () => {
  it('aligns username, name, role, status and creation time, and never shows a hash', () => {
    const table = formatUserTable([
      { username: 'admin', name: 'Service Administrator', role: 'admin', disabled: false, createdAt: '2026-11-24T09:00:12.345Z', passwordHash: 'scrypt$secret' } as never,
      { username: 'dr.a', name: 'Dr A B', role: 'consultant', disabled: true, createdAt: '2026-11-25T17:30:00.000Z' },
    ]);
    expect(table).toBe(
      [
        'username  name                   role        status    created (UTC)',
        'admin     Service Administrator  admin       active    2026-11-24 09:00',
        'dr.a      Dr A B                 consultant  disabled  2026-11-25 17:30',
        '',
      ].join('\n'),
    );
    expect(table).not.toContain('scrypt');
  });

  it('says so when there are no users, and prints control characters harmlessly', () => {
    expect(formatUserTable([])).toBe('no users\n');
    expect(formatUserTable([{ username: 'x', name: 'Evil\u001b[2J', role: 'referrer', disabled: false, createdAt: '2026-11-24T09:00:00.000Z' }])).not.toContain('\u001b');
  });
});

describe('users command exit status', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: {}, stdin: Readable.from([]), stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } };
  };

  it('exits 2 with the usage on a usage error, and 0 with it on --help, touching no database', async () => {
    const bad = io();
    expect(await runUsersCli(['frobnicate'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/unknown subcommand "frobnicate"[\s\S]*usage: loupe-service users/);
    const help = io();
    expect(await runUsersCli(['--help'], help.io)).toBe(0);
    expect(help.out.join('')).toMatch(/usage: loupe-service users/);
  });
});
