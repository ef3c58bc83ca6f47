import { configDefaults, defineConfig } from 'vitest/config';

const integration = 'tests/integration/**/*.test.ts';

/**
 * Unit tests run once. The integration suite runs twice, once per database backend, with the
 * same test files: `integration-sqlite` (the embedded default) and `integration-postgres`, whose
 * global set-up starts one throwaway PostgreSQL cluster from Debian's binaries for the run
 * (`tests/support/postgres.ts`). `LOUPE_TEST_DB` tells the harness which backend to open.
 * A test file that only makes sense on one backend is excluded from the other project here,
 * never skipped at run time.
 */
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration suites each start a service and build pyramids with libvips.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration-sqlite',
          include: [integration],
          // PostgreSQL only: two service instances on one database (scale-out), and PostgreSQL's
          // own migrations (SQLite's are unit tests).
          exclude: [...configDefaults.exclude, 'tests/integration/scale-out.test.ts', 'tests/integration/pg-migrations.test.ts'],
          env: { LOUPE_TEST_DB: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-postgres',
          include: [integration],
          globalSetup: ['tests/support/postgres-global-setup.ts'],
          env: { LOUPE_TEST_DB: 'postgres' },
        },
      },
    ],
  },
});
