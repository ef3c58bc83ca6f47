import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReferralSubmission } from '../../shared/contract';
import { isSyntheticNhsNumber } from '../../shared/domain/nhs-number';
import { DEFAULT_URL, pairImages, parseImageArg, parseSubmitArgs, passwordFromStdin, UsageError } from '../../scripts/submit-args';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const base = ['--username', 'gp', '--referral', 'r.json'];

describe('parseSubmitArgs', () => {
  it('reads every option, in either --flag value or --flag=value form', () => {
    expect(parseSubmitArgs(['--url', 'http://svc:9000/', '--username=gp', '--password-stdin', '--referral=r.json', '--image', 'img1=a.jpg', '--image=b.jpg'])).toEqual({
      help: false,
      url: 'http://svc:9000',
      username: 'gp',
      passwordStdin: true,
      referral: 'r.json',
      images: [{ part: 'img1', path: 'a.jpg' }, { path: 'b.jpg' }],
    });
  });

  it('defaults the URL, takes URL and username from the environment, and lets the command line win', () => {
    expect(parseSubmitArgs(base)).toMatchObject({ url: DEFAULT_URL, username: 'gp', passwordStdin: false, images: [] });
    expect(parseSubmitArgs(['--referral', 'r.json'], { LOUPE_URL: 'https://loupe.example', LOUPE_USERNAME: 'gp2' })).toMatchObject({ url: 'https://loupe.example', username: 'gp2' });
    expect(parseSubmitArgs([...base, '--url', 'http://other'], { LOUPE_URL: 'https://loupe.example' })).toMatchObject({ url: 'http://other', username: 'gp' });
  });

  it('answers --help before checking anything else', () => {
    expect(parseSubmitArgs(['--help'])).toEqual({ help: true });
    expect(parseSubmitArgs(['--bogus', '-h'])).toEqual({ help: true });
  });

  it.each([
    [['--password', 'secret', ...base], /not accepted.*LOUPE_PASSWORD/],
    [['--password=secret', ...base], /not accepted/],
    [['-p', 'secret', ...base], /not accepted/],
  ])('refuses a password on the command line: %j', (argv, message) => {
    expect(() => parseSubmitArgs(argv)).toThrow(message);
  });

  it.each([
    [['--username', 'gp'], /--referral <file.json> is required/],
    [['--referral', 'r.json'], /--username is required/],
    [[...base, '--referral', 'again.json'], /given twice/],
    [[...base, '--image'], /--image needs a value/],
    [[...base, '--image', '--url'], /--image needs a value/],
    [[...base, '--frobnicate'], /unknown option --frobnicate/],
    [[...base, 'a.jpg'], /unexpected argument "a.jpg"/],
    [[...base, '--password-stdin=yes'], /takes no value/],
    [[...base, '--url', 'ftp://host'], /http:\/\/ or https:\/\//],
    [[...base, '--url', 'not a url'], /not a URL/],
    [[...base, '--url', 'http://gp:secret@host'], /must not carry credentials/],
    [[...base, '--image', 'img1='], /no file after "img1="/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSubmitArgs(argv)).toThrow(UsageError);
    expect(() => parseSubmitArgs(argv)).toThrow(message);
  });
});

describe('parseImageArg', () => {
  it.each([
    ['img1=a.jpg', { part: 'img1', path: 'a.jpg' }],
    ['close-up_2=/tmp/x=y.jpg', { part: 'close-up_2', path: '/tmp/x=y.jpg' }],
    ['a.jpg', { path: 'a.jpg' }],
    ['./odd=name.jpg', { path: './odd=name.jpg' }],
    ['my photo=1.jpg', { path: 'my photo=1.jpg' }],
    ['=a.jpg', { path: '=a.jpg' }],
  ])('%s', (value, expected) => {
    expect(parseImageArg(value)).toEqual(expected);
  });
});

describe('pairImages', () => {
  it('gives named files their parts and bare files the remaining parts in order', () => {
    expect(pairImages(['close', 'dermo', 'regional'], [{ path: 'a.jpg' }, { part: 'dermo', path: 'd.jpg' }, { path: 'b.jpg' }])).toEqual([
      { part: 'close', path: 'a.jpg' },
      { part: 'dermo', path: 'd.jpg' },
      { part: 'regional', path: 'b.jpg' },
    ]);
  });

  it('allows no images for a follow-up that describes none', () => {
    expect(pairImages([], [])).toEqual([]);
  });

  it('lists every problem at once', () => {
    let message = '';
    try {
      pairImages(['close', 'dermo'], [{ part: 'nope', path: 'n.jpg' }, { part: 'close', path: 'c.jpg' }, { part: 'close', path: 'c2.jpg' }]);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      message = (err as Error).message;
    }
    expect(message).toContain('describes no image part "nope"');
    expect(message).toContain('given twice');
    expect(message).toContain('image part "dermo" has no file');
  });

  it('refuses more files than parts', () => {
    expect(() => pairImages(['close'], [{ path: 'a.jpg' }, { path: 'b.jpg' }])).toThrow(/b.jpg: no image part left/);
  });
});

describe('passwordFromStdin', () => {
  it('drops one trailing line break and nothing else', () => {
    expect(passwordFromStdin('s3cret\n')).toBe('s3cret');
    expect(passwordFromStdin('s3cret\r\n')).toBe('s3cret');
    expect(passwordFromStdin(' s3cret \n\n')).toBe(' s3cret \n');
    expect(passwordFromStdin('')).toBe('');
  });
});

describe('resources/examples/referral.json', () => {
  it('is a valid referral about a synthetic patient', async () => {
    const referral = ReferralSubmission.parse(JSON.parse(await readFile(path.join(root, 'resources/examples/referral.json'), 'utf8')));
    expect(isSyntheticNhsNumber(referral.patient.nhsNumber)).toBe(true);
    expect(referral.images.length).toBeGreaterThan(0);
  });
});
