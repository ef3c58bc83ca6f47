import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromArgs, UsageError } from '../../service/config';

describe('service configuration', () => {
  it('defaults to loopback port 8270 and a data folder under the working directory', () => {
    const c = configFromArgs([], {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8270, demo: false });
    expect(c.dataDir).toBe(path.resolve('.loupe/data'));
    expect(c.limits).toEqual({ imageBytes: 50 * 1024 * 1024, imagePixels: 100_000_000, imagesPerReferral: 20 });
  });

  it('takes the environment, and the command line over it', () => {
    const env = { LOUPE_PORT: '9000', LOUPE_DATA_DIR: '/srv/loupe', LOUPE_ALLOWED_ORIGINS: 'loupe://app, https://x.nhs.uk' };
    expect(configFromArgs([], env)).toMatchObject({ port: 9000, dataDir: '/srv/loupe', allowedOrigins: ['loupe://app', 'https://x.nhs.uk'] });
    expect(configFromArgs(['--port', '9100', '--data', 'rel', '--demo'], env)).toMatchObject({ port: 9100, dataDir: path.resolve('rel'), demo: true });
  });

  it('takes the PostgreSQL pool size from the environment, 10 by default', () => {
    expect(configFromArgs([], {}).dbPoolSize).toBe(10);
    expect(configFromArgs([], { LOUPE_DB_POOL_SIZE: '25' }).dbPoolSize).toBe(25);
  });

  it('resolves a relative web root', () => {
    expect(configFromArgs(['--web-root', 'out/renderer'], {}).webRoot).toBe(path.resolve('out/renderer'));
  });

  it('defaults sessions to 12 h absolute and 30 min idle, and sign-in throttling to 5 per username and 50 per address in 15 min', () => {
    const c = configFromArgs([], {});
    expect(c).toMatchObject({ sessionAbsoluteMinutes: 720, sessionIdleMinutes: 30 });
    expect(c.signInThrottle).toEqual({ windowMinutes: 15, maxPerUsername: 5, maxPerAddress: 50 });
  });

  it('takes session, image and throttle settings from the environment, and flags over them', () => {
    const env = {
      LOUPE_SESSION_ABSOLUTE_MINUTES: '480',
      LOUPE_SESSION_IDLE_MINUTES: '10',
      LOUPE_MAX_IMAGE_BYTES: '1048576',
      LOUPE_MAX_IMAGE_PIXELS: '4000000',
      LOUPE_MAX_IMAGES_PER_REFERRAL: '5',
      LOUPE_SIGNIN_WINDOW_MINUTES: '30',
      LOUPE_SIGNIN_MAX_PER_USERNAME: '3',
      LOUPE_SIGNIN_MAX_PER_ADDRESS: '20',
    };
    const fromEnv = configFromArgs([], env);
    expect(fromEnv).toMatchObject({ sessionAbsoluteMinutes: 480, sessionIdleMinutes: 10 });
    expect(fromEnv.limits).toEqual({ imageBytes: 1048576, imagePixels: 4_000_000, imagesPerReferral: 5 });
    expect(fromEnv.signInThrottle).toEqual({ windowMinutes: 30, maxPerUsername: 3, maxPerAddress: 20 });

    const flags = configFromArgs(
      ['--session-absolute-minutes', '60', '--session-idle-minutes', '5', '--max-image-bytes', '2000', '--max-image-pixels', '3000',
        '--max-images-per-referral', '2', '--signin-window-minutes', '1', '--signin-max-per-username', '9', '--signin-max-per-address', '99'],
      env,
    );
    expect(flags).toMatchObject({ sessionAbsoluteMinutes: 60, sessionIdleMinutes: 5 });
    expect(flags.limits).toEqual({ imageBytes: 2000, imagePixels: 3000, imagesPerReferral: 2 });
    expect(flags.signInThrottle).toEqual({ windowMinutes: 1, maxPerUsername: 9, maxPerAddress: 99 });
  });

  it('keeps the other defaults of a group when one of its settings is given, and treats an empty variable as unset', () => {
    const c = configFromArgs(['--signin-max-per-username', '7'], { LOUPE_MAX_IMAGES_PER_REFERRAL: '3', LOUPE_SESSION_IDLE_MINUTES: '' });
    expect(c.signInThrottle).toEqual({ windowMinutes: 15, maxPerUsername: 7, maxPerAddress: 50 });
    expect(c.limits).toEqual({ imageBytes: 50 * 1024 * 1024, imagePixels: 100_000_000, imagesPerReferral: 3 });
    expect(c.sessionIdleMinutes).toBe(30);
  });

  it('defaults turnaround targets to the domain brief: advice 2, USC 1, waiting list 10 working days', () => {
    expect(configFromArgs([], {}).targetWorkingDays).toEqual({ advice: 2, usc: 1, 'waiting-list': 10 });
  });

  it('takes each pathway\'s target from the environment, flags over it, others keeping their defaults', () => {
    const env = { LOUPE_TARGET_ADVICE_DAYS: '1', LOUPE_TARGET_WAITING_LIST_DAYS: '15', LOUPE_TARGET_USC_DAYS: '' };
    expect(configFromArgs([], env).targetWorkingDays).toEqual({ advice: 1, usc: 1, 'waiting-list': 15 });
    const flags = configFromArgs(['--target-advice-days', '3', '--target-usc-days', '2', '--target-waiting-list-days', '20'], env);
    expect(flags.targetWorkingDays).toEqual({ advice: 3, usc: 2, 'waiting-list': 20 });
  });

  it('lists the target settings in --help', () => {
    let usage = '';
    try {
      configFromArgs(['--help'], {});
    } catch (err) {
      usage = err instanceof UsageError ? err.message : '';
    }
    for (const name of ['--target-advice-days', '--target-usc-days', '--target-waiting-list-days', 'LOUPE_TARGET_ADVICE_DAYS', 'LOUPE_TARGET_USC_DAYS', 'LOUPE_TARGET_WAITING_LIST_DAYS']) {
      expect(usage).toContain(name);
    }
  });

  it.each([
    // The usage text names every setting, so these look for the hint naming the bad one.
    [{ LOUPE_TARGET_ADVICE_DAYS: '0' }, /set by --target-advice-days \/ LOUPE_TARGET_ADVICE_DAYS/],
    [{ LOUPE_TARGET_USC_DAYS: '1.5' }, /set by --target-usc-days \/ LOUPE_TARGET_USC_DAYS/],
    [{ LOUPE_TARGET_WAITING_LIST_DAYS: 'ten' }, /set by --target-waiting-list-days/],
    [{ LOUPE_TARGET_WAITING_LIST_DAYS: '61' }, /set by --target-waiting-list-days/],
    [{ LOUPE_SESSION_IDLE_MINUTES: '0' }, /LOUPE_SESSION_IDLE_MINUTES/],
    [{ LOUPE_SESSION_ABSOLUTE_MINUTES: '12h' }, /LOUPE_SESSION_ABSOLUTE_MINUTES/],
    [{ LOUPE_MAX_IMAGE_BYTES: '-1' }, /LOUPE_MAX_IMAGE_BYTES/],
    [{ LOUPE_MAX_IMAGE_PIXELS: '1.5' }, /LOUPE_MAX_IMAGE_PIXELS/],
    [{ LOUPE_MAX_IMAGES_PER_REFERRAL: 'many' }, /LOUPE_MAX_IMAGES_PER_REFERRAL/],
    [{ LOUPE_SIGNIN_WINDOW_MINUTES: '0' }, /--signin-window-minutes/],
    [{ LOUPE_SIGNIN_MAX_PER_USERNAME: 'five' }, /LOUPE_SIGNIN_MAX_PER_USERNAME/],
    [{ LOUPE_SIGNIN_MAX_PER_ADDRESS: '-50' }, /signInThrottle\.maxPerAddress/],
    [{ LOUPE_DB_POOL_SIZE: '1' }, /LOUPE_DB_POOL_SIZE/],
  ])('refuses the bad setting %j with a usage error naming it', (env, message) => {
    expect(() => configFromArgs([], env)).toThrow(UsageError);
    expect(() => configFromArgs([], env)).toThrow(message);
  });

  it.each([
    [['--bogus'], /unknown argument/],
    [['--session-idle-minutes'], /needs a value/],
    [['--signin-max-per-address', 'lots'], /--signin-max-per-address/],
    [['--target-advice-days', '-2'], /set by --target-advice-days/],
    [['--target-usc-days'], /needs a value/],
    [['--port'], /needs a value/],
    [['--port', '--demo'], /needs a value/],
    [['--port', 'eighty'], /port/],
    [['--port', '70000'], /port/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => configFromArgs(argv, {})).toThrow(UsageError);
    expect(() => configFromArgs(argv, {})).toThrow(message);
  });
});
