/**
 * A GP-side submitter for demos and tests: sends a referral (or a follow-up) with its images
 * to the referral service through the HTTP API, exactly as any other client would.
 *
 *   LOUPE_PASSWORD=… npm run submit -- --username gp --referral r.json --image img1=a.jpg
 *   printf '%s\n' "$PASSWORD" | npx tsx scripts/submit.ts --username gp --password-stdin \
 *     --referral resources/examples/referral.json --image lesion.jpg
 *
 * The referral JSON is checked locally with the contract's own schema first, and every
 * described image part must have a file (and every file a part), so a mistake is reported
 * before anything is sent. Prints the created referral's id and image ids as JSON on stdout.
 * See `USAGE` in `scripts/submit-args.ts` for every option and the exit statuses.
 */
import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ErrorBody, ReferralCreated, ReferralFollowUp, ReferralSubmission } from '../shared/contract';
import { ServiceClient, ServiceError } from '../shared/client/service-client';
import { pairImages, parseSubmitArgs, passwordFromStdin, UsageError, USAGE, type ImagePair, type SubmitArgs } from './submit-args';

/** A failure the service reported, or no service to report it: exit status 1. */
class SubmitFailed extends Error {}

export interface Io {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  readStdin: () => Promise<string>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch: typeof fetch;
}

const MEDIA_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

interface Checked {
  /** The referral as read, sent as it is: the service parses it with the same schema. */
  referral: unknown;
  followUp: boolean;
  images: ImagePair[];
}

/** Reads and checks the referral file and the image files; every problem is a UsageError. */
async function check(args: SubmitArgs): Promise<Checked> {
  let text: string;
  try {
    text = await readFile(args.referral, 'utf8');
  } catch (err) {
    throw new UsageError(`--referral ${args.referral}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let referral: unknown;
  try {
    referral = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`--referral ${args.referral}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const followUp = typeof referral === 'object' && referral !== null && !Array.isArray(referral) && 'followUpTo' in referral;
  const parsed = (followUp ? ReferralFollowUp : ReferralSubmission).safeParse(referral);
  if (!parsed.success) {
    throw new UsageError(`--referral ${args.referral}: not a valid ${followUp ? 'follow-up' : 'referral'}:\n${z.prettifyError(parsed.error)}`);
  }
  const images = pairImages(parsed.data.images.map((i) => i.part), args.images);
  const problems: string[] = [];
  for (const img of images) {
    const st = await stat(img.path).catch(() => undefined);
    if (!st) problems.push(`image part "${img.part}": ${img.path} does not exist`);
    else if (!st.isFile()) problems.push(`image part "${img.part}": ${img.path} is not a file`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { referral, followUp, images };
}

async function password(args: SubmitArgs, io: Io): Promise<string> {
  const pw = args.passwordStdin ? passwordFromStdin(await io.readStdin()) : io.env.LOUPE_PASSWORD;
  if (!pw) throw new UsageError(args.passwordStdin ? 'no password on standard input' : 'no password: set LOUPE_PASSWORD or use --password-stdin');
  return pw;
}

/** The service's own words for a refusal: status, code and message (and the part, if named). */
async function refusal(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
  const { code, message, ...rest } = parsed.data.error;
  const issues = Array.isArray(rest.issues) ? (rest.issues as { path?: string; message?: string }[]).map((i) => `\n  ${i.path || '(body)'}: ${i.message}`).join('') : '';
  return `${res.status} ${code}: ${message}${issues}`;
}

const unreachable = (url: string, err: unknown) =>
  new SubmitFailed(`cannot reach the service at ${url}: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`);

async function submit(args: SubmitArgs, checked: Checked, pw: string, io: Io): Promise<ReferralCreated> {
  const client = new ServiceClient(args.url, io.fetch);
  try {
    await client.signIn({ username: args.username, password: pw });
  } catch (err) {
    if (err instanceof ServiceError) throw new SubmitFailed(`sign-in refused: ${err.status} ${err.code}: ${err.message}`);
    throw unreachable(args.url, err);
  }
  try {
    const form = new FormData();
    form.set('referral', JSON.stringify(checked.referral));
    for (const img of checked.images) {
      // A file-backed Blob: fetch streams it from disk rather than holding it in memory.
      const blob = await openAsBlob(img.path, { type: MEDIA_TYPES[path.extname(img.path).toLowerCase()] ?? 'application/octet-stream' });
      form.append(img.part, blob, path.basename(img.path));
    }
    let res: Response;
    try {
      res = await io.fetch(client.url('/referrals'), { method: 'POST', headers: client.authHeader, body: form });
    } catch (err) {
      throw unreachable(args.url, err);
    }
    if (!res.ok) throw new SubmitFailed(`${checked.followUp ? 'follow-up' : 'referral'} refused: ${await refusal(res)}`);
    return ReferralCreated.parse(await res.json());
  } finally {
    await client.signOut().catch((err: unknown) => io.stderr(`warning: sign-out failed: ${err instanceof Error ? err.message : String(err)}\n`));
  }
}

/** Runs the command; resolves to the exit status. */
export async function runSubmit(io: Io): Promise<number> {
  try {
    const parsed = parseSubmitArgs(io.argv, io.env);
    if (parsed.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const checked = await check(parsed);
    const pw = await password(parsed, io);
    const created = await submit(parsed, checked, pw, io);
    io.stdout(`${JSON.stringify(created, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`submit: ${err.message}\n(npm run submit -- --help for usage)\n`);
      return 2;
    }
    if (err instanceof SubmitFailed) {
      io.stderr(`submit: ${err.message}\n`);
      return 1;
    }
    io.stderr(`submit: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runSubmit({
    argv: process.argv.slice(2),
    env: process.env,
    readStdin: () => readAll(process.stdin),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    fetch,
  }).then((code) => {
    process.exitCode = code;
  });
}
