import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUsersCli } from './cli/users';
import { configFromArgs, UsageError } from './config';
import { seedDemo } from './demo/seed';
import { openService } from './open-service';
import { buildServer } from './server';

import { LISTENING_PREFIX } from './listening';

async function main(): Promise<void> {
  const config = configFromArgs(process.argv.slice(2), process.env);
  const here = path.dirname(fileURLToPath(import.meta.url));
  config.webRoot ??= path.resolve(here, '../renderer');

  const ctx = await openService(config);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (config.demo) {
    const seeded = await seedDemo(ctx, log);
    if (seeded.users || seeded.referrals) log(`demo data: ${seeded.users} users, ${seeded.referrals} referrals (password "loupe-demo")`);
  }
  const app = await buildServer(ctx, { logger: true });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  process.stdout.write(`${LISTENING_PREFIX}${url}\n`);
  const announcement = { type: 'listening', url };
  process.send?.(announcement);
  // Under Electron's utilityProcess the channel to the parent is `process.parentPort`.
  (process as NodeJS.Process & { parentPort?: { postMessage(message: unknown): void } }).parentPort?.postMessage(announcement);

  const stop = async () => {
    await app.close();
    await ctx.pyramids.close();
    await ctx.repo.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[2] === 'users') {
  // `loupe-service users …`: manage users in the service's database, then exit.
  void runUsersCli(process.argv.slice(3), { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`users: failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
} else main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Loupe referral service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
