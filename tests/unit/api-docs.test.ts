import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_DOC_FILES, renderApiDocs } from '../../scripts/api-docs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REGENERATE = 'the API docs are out of date: run `npx tsx scripts/api-docs.ts` and commit docs/openapi.json and docs/api.md';

/** Every endpoint of the contract (service-api.md), in OpenAPI's path form. */
const CONTRACT: readonly [string, string][] = [
  ['get', '/api/v1/health'],
  ['post', '/api/v1/sessions'],
  ['delete', '/api/v1/sessions/current'],
  ['post', '/api/v1/referrals'],
  ['get', '/api/v1/changes'],
  ['post', '/api/v1/mutations'],
  ['get', '/api/v1/referrals/{id}'],
  ['get', '/api/v1/images/{id}/image.dzi'],
  ['get', '/api/v1/images/{id}/image_files/{level}/{col}_{row}.{ext}'],
  ['get', '/api/v1/audit'],
  ['get', '/api/v1/audit/verify'],
];

const docs = renderApiDocs();

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
}

describe('API docs generated from the zod contract', () => {
  it('match the committed docs/openapi.json', async () => {
    const committed = await readFile(path.join(root, API_DOC_FILES.openapi), 'utf8').catch(() => '');
    expect(committed === docs.openapi, REGENERATE).toBe(true);
  });

  it('match the committed docs/api.md', async () => {
    const committed = await readFile(path.join(root, API_DOC_FILES.markdown), 'utf8').catch(() => '');
    expect(committed === docs.markdown, REGENERATE).toBe(true);
  });

  it('render the same twice (no clock, no randomness)', () => {
    expect(renderApiDocs()).toEqual(docs);
  });

  it('are OpenAPI 3.1 with every endpoint of the contract', () => {
    const doc = JSON.parse(docs.openapi) as OpenApi;
    expect(doc.openapi).toBe('3.1.0');
    for (const [method, p] of CONTRACT) expect(doc.paths[p]?.[method], `${method.toUpperCase()} ${p}`).toBeDefined();
  });

  it('resolve every $ref and declare every path parameter', () => {
    const doc = JSON.parse(docs.openapi) as OpenApi;
    const refs = [...docs.openapi.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const [, kind, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
      expect(kind && name ? doc.components[kind as 'schemas' | 'responses'][name] : undefined, ref).toBeDefined();
    }
    const ids = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const [method, op] of Object.entries(ops)) {
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name);
        expect(declared.sort(), `${method} ${p}`).toEqual([...templated].sort());
        expect(Object.keys(op.responses).length, `${method} ${p}`).toBeGreaterThan(0);
      }
    }
  });

  it('name every mutation type and state in the human document', () => {
    for (const word of ['referral.claim', 'outcome.sign-off', 'annotation.delete', 'referral.request-info', 'waiting-info', 'awaiting-signoff', 'followUpTo', 'superseded']) {
      expect(docs.markdown).toContain(word);
    }
  });
});
