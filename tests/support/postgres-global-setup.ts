import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres';

declare module 'vitest' {
  interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL cluster (project integration-postgres). */
    pgAdminUrl: string;
  }
}

/**
 * Global set-up of the `integration-postgres` project: ONE throwaway cluster for the whole run
 * (each started service gets its own database in it, see `tests/integration/harness.ts`),
 * stopped and removed when the run ends. Set LOUPE_TEST_PG_URL to use an existing server's
 * superuser URL instead.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.LOUPE_TEST_PG_URL;
  if (existing) {
    project.provide('pgAdminUrl', existing);
    return undefined;
  }
  const cluster = await startPostgres();
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
