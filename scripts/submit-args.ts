/**
 * Command line of `scripts/submit.ts`, the GP-side submitter: parsing and pairing image files
 * with the parts a referral describes. Pure (no I/O), so it is unit tested on its own.
 */

export const DEFAULT_URL = 'http://127.0.0.1:8270';

export const USAGE = `usage: npm run submit -- --referral <file.json> [--image [part=]<file>]... [options]

Sends a referral (or a follow-up, when the JSON has "followUpTo") to the referral service
through its HTTP API, as a GP-side client would: signs in, posts the referral and its images
as multipart/form-data, prints the created ids as JSON, signs out.

  --referral <file>      the referral JSON (the "referral" part); checked locally first
  --image <file>         an image; bare files take the parts named in the referral's
                         images[].part, in order, that no part=file names
  --image <part>=<file>  an image for the named part
  --url <url>            the service (default ${DEFAULT_URL}, or LOUPE_URL)
  --username <name>      who signs in (or LOUPE_USERNAME)
  --password-stdin       read the password from standard input (else LOUPE_PASSWORD);
                         a password is never taken as an argument
  --help                 this text

exit status: 0 stored; 1 the service refused it or could not be reached; 2 a usage error or
a referral that fails the local checks`;

/** A mistake on the command line or in the local checks: exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ImageArg {
  /** The part named as `part=file`; undefined for a bare file. */
  part?: string;
  path: string;
}

export interface SubmitArgs {
  url: string;
  username: string;
  passwordStdin: boolean;
  referral: string;
  images: ImageArg[];
}

export type ParsedArgs = { help: true } | ({ help: false } & SubmitArgs);

/** The contract's rule for part names (`ImageSubmissionMeta.part`). */
const PART_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `part=file` when the text before the first `=` is a part name; otherwise a bare file. */
export function parseImageArg(value: string): ImageArg {
  const eq = value.indexOf('=');
  if (eq > 0) {
    const part = value.slice(0, eq);
    const file = value.slice(eq + 1);
    if (PART_NAME.test(part)) {
      if (!file) throw new UsageError(`--image ${value}: no file after "${part}="`);
      return { part, path: file };
    }
  }
  return { path: value };
}

function validUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url ${value}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url ${value}: use http:// or https://`);
  if (url.username || url.password) throw new UsageError('--url must not carry credentials; use --username and LOUPE_PASSWORD or --password-stdin');
  // The client appends /api/v1/…; a trailing slash would double it.
  return value.replace(/\/+$/, '');
}

/**
 * Parses the arguments after the script name. `env` supplies LOUPE_URL and LOUPE_USERNAME;
 * the command line wins. Throws `UsageError` naming what is wrong.
 */
export function parseSubmitArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParsedArgs {
  if (argv.some((a) => a === '--help' || a === '-h')) return { help: true };
  let url = env.LOUPE_URL?.trim() || DEFAULT_URL;
  let username = env.LOUPE_USERNAME?.trim() || undefined;
  let passwordStdin = false;
  let referral: string | undefined;
  const images: ImageArg[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--url':
        url = value();
        break;
      case '--username':
        username = value();
        break;
      case '--password-stdin':
        noValue();
        passwordStdin = true;
        break;
      case '--password':
      case '-p':
        // Arguments are visible to every user of the machine (ps, /proc) and in shell history.
        throw new UsageError(`${flag} is not accepted: a password on the command line leaks; set LOUPE_PASSWORD or use --password-stdin`);
      case '--referral':
        if (referral !== undefined) throw new UsageError('--referral given twice');
        referral = value();
        break;
      case '--image':
        images.push(parseImageArg(value()));
        break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}" (images go after --image)`);
    }
  }
  if (referral === undefined || referral === '') throw new UsageError('--referral <file.json> is required');
  if (!username) throw new UsageError('--username is required (or set LOUPE_USERNAME)');
  return { help: false, url: validUrl(url), username, passwordStdin, referral, images };
}

export interface ImagePair {
  part: string;
  path: string;
}

/**
 * Gives every part the referral describes one file: `part=file` first, then bare files in
 * order to the parts left, in the referral's order. Lists every problem at once.
 */
export function pairImages(described: readonly string[], images: readonly ImageArg[]): ImagePair[] {
  const problems: string[] = [];
  const describedSet = new Set(described);
  const byPart = new Map<string, string>();
  for (const img of images) {
    if (img.part === undefined) continue;
    if (!describedSet.has(img.part)) problems.push(`--image ${img.part}=${img.path}: the referral describes no image part "${img.part}"`);
    else if (byPart.has(img.part)) problems.push(`--image ${img.part}=…: given twice`);
    else byPart.set(img.part, img.path);
  }
  const open = described.filter((p) => !byPart.has(p));
  const bare = images.filter((img) => img.part === undefined);
  bare.forEach((img, i) => {
    const part = open[i];
    if (part === undefined) problems.push(`--image ${img.path}: no image part left for it (the referral describes ${described.length})`);
    else byPart.set(part, img.path);
  });
  for (const part of described) if (!byPart.has(part)) problems.push(`image part "${part}" has no file: add --image ${part}=<file>`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return described.map((part) => ({ part, path: byPart.get(part)! }));
}

/** `--password-stdin` takes the whole input less one trailing line break. */
export function passwordFromStdin(text: string): string {
  return text.replace(/\r?\n$/, '');
}
