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

  it('resolves a relative web root', () => {
    expect(configFromArgs(['--web-root', 'out/renderer'], {}).webRoot).toBe(path.resolve('out/renderer'));
  });

  it.each([
    [['--bogus'], /unknown argument/],
    [['--port'], /needs a value/],
    [['--port', '--demo'], /needs a value/],
    [['--port', 'eighty'], /port/],
    [['--port', '70000'], /port/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => configFromArgs(argv, {})).toThrow(UsageError);
    expect(() => configFromArgs(argv, {})).toThrow(message);
  });
});
