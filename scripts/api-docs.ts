/**
 * Generates the API's documentation from the code that enforces it, so the two cannot drift:
 *
 * - `docs/openapi.json`: OpenAPI 3.1, every schema converted from the zod contract in
 *   `shared/contract/` with zod's own `z.toJSONSchema` (request bodies and query strings as the
 *   service reads them, `io: 'input'`; responses as it writes them, `io: 'output'`);
 * - `docs/api.md`: the same for people, with the prose below, the mutation roles from
 *   `MUTATION_ROLES`, the state machines read from the transition tables in
 *   `service/domain/workflow.ts` and the limits from the defaults in `service/config.ts`.
 *
 *   npx tsx scripts/api-docs.ts
 *
 * `tests/unit/api-docs.test.ts` fails when the committed files differ from what this renders.
 * `renderApiDocs()` is pure; files are written only when this module is run as a program.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import * as C from '../shared/contract';
import type { OutcomeRule } from '../shared/domain/outcome-rules';
import { Config } from '../service/config';
import { MUTATION_ROLES, nextOutcomeStatus, nextReferralStatus, type OutcomeEvent, type ReferralEvent } from '../service/domain/workflow';
import { CLINICIANS } from '../service/http/require-user';

export interface ApiDocs {
  /** `docs/openapi.json`, pretty-printed, with a final newline. */
  openapi: string;
  /** `docs/api.md`. */
  markdown: string;
}

// ---------------------------------------------------------------------------------------------
// Values the contract's schemas do not carry. Each names where it is enforced; keep in step.

/** `bodyLimit` in `service/server.ts`: the largest JSON body. */
const JSON_BODY_LIMIT = 8 * 1024 * 1024;
/** multipart `fieldSize` in `service/server.ts`: the largest `referral` part. */
const REFERRAL_PART_LIMIT = 1024 * 1024;
/** `service/routes/referrals.ts`. */
const REFERRAL_SUBMITTERS: readonly C.Role[] = ['referrer', 'admin'];
/** `service/routes/audit.ts`. */
const AUDIT_READERS: readonly C.Role[] = ['consultant', 'admin'];
const AUDIT_VERIFIERS: readonly C.Role[] = ['admin'];
/** `service/routes/metrics.ts`. */
const METRICS_READERS: readonly C.Role[] = ['consultant', 'admin'];

// ---------------------------------------------------------------------------------------------
// Schemas: one registry per direction, so that defaults and coercions show as each side sees them.

type JsonSchema = Record<string, unknown>;

interface Named {
  id: string;
  schema: z.ZodType;
  description: string;
}

/** Small types used everywhere, named once. */
const SHARED: Named[] = [
  { id: 'Uuid', schema: C.Uuid, description: 'A UUID (v4 or v7 as issued; any RFC 9562 UUID is accepted).' },
  { id: 'IsoDateTime', schema: C.IsoDateTime, description: 'An ISO 8601 date and time with an offset; the service writes UTC (`Z`).' },
  { id: 'IsoDate', schema: C.IsoDate, description: 'An ISO 8601 calendar date (`YYYY-MM-DD`).' },
  { id: 'NhsNumber', schema: C.NhsNumber, description: 'Ten digits whose tenth is the modulus-11 check digit of the first nine. Synthetic numbers start with 999.' },
  { id: 'Role', schema: C.Role, description: 'A user role; it comes from the token, never from a request.' },
  { id: 'Pathway', schema: C.Pathway, description: 'How urgently the referral is to be reviewed; sets its target date.' },
  { id: 'Sex', schema: C.Sex, description: 'The patient\'s sex as recorded by the GP.' },
  { id: 'ImageKind', schema: C.ImageKind, description: 'What an image shows: a regional view, a close-up or a dermoscopic image.' },
  { id: 'Patient', schema: C.Patient, description: 'The patient a referral is about.' },
  { id: 'Referrer', schema: C.Referrer, description: 'The referring clinician and their practice.' },
  { id: 'ClinicalHistory', schema: C.ClinicalHistory, description: 'The structured history a GP sends; every field optional, unknown fields refused.' },
  { id: 'ImageSubmissionMeta', schema: C.ImageSubmissionMeta, description: 'What a GP says about one uploaded image; `part` names its file part.' },
  { id: 'UserRef', schema: C.UserRef, description: 'A user as others see them.' },
  { id: 'Decision', schema: C.Decision, description: 'The outcome of a review.' },
  { id: 'Diagnosis', schema: C.Diagnosis, description: 'A diagnosis as text, optionally coded in SNOMED CT.' },
  { id: 'Confidence', schema: C.Confidence, description: 'How sure the clinician is of the diagnosis.' },
  { id: 'Priority', schema: C.Priority, description: 'Clinical priority: USC, urgent or routine for referrals from primary care; P1a–P4 for patients on a waiting list.' },
  { id: 'RequestReason', schema: C.RequestReason, description: 'Why more information or better images are needed; shown to the GP.' },
  { id: 'ReferrerAgreement', schema: C.ReferrerAgreement, description: 'The referrer\'s agreement to a USC referral leaving the USC pathway: who, and when.' },
  { id: 'ListReview', schema: C.ListReview, description: 'Waiting-list validation: how the patient has changed since they were listed.' },
  { id: 'OutcomeAmendment', schema: C.OutcomeAmendment, description: 'Some outcome fields: a consultant\'s amendment at sign-off, or the registrar\'s values it replaced.' },
  { id: 'OutcomeFieldName', schema: C.OutcomeFieldName, description: 'The name of an outcome field a clinician fills in.' },
  { id: 'InfoRequestKind', schema: C.InfoRequestKind, description: 'What a clinician asks the referrer for.' },
  { id: 'Point', schema: C.Point, description: 'A position in the full-resolution image\'s pixels, origin top left.' },
  { id: 'AnnotationShape', schema: C.AnnotationShape, description: 'A shape drawn on an image, in full-resolution pixels; a `line` is a measurement.' },
  { id: 'MutationType', schema: C.MutationType, description: 'The kinds of change a clinician can send.' },
  { id: 'Cursor', schema: C.Cursor, description: 'A position in the change feed. Opaque: pass back what the service gave you.' },
];

const REQUESTS: Named[] = [
  { id: 'SignInRequest', schema: C.SignInRequest, description: 'Body of `POST /sessions`.' },
  { id: 'MutationBatch', schema: C.MutationBatch, description: 'Body of `POST /mutations`.' },
  { id: 'Mutation', schema: C.Mutation, description: 'One change, made on a client; its `payload` is parsed by its type\'s schema (see Mutations).' },
  { id: 'ReferralSubmission', schema: C.ReferralSubmission, description: 'The JSON `referral` part of `POST /referrals` for a new referral. Part names must be unique.' },
  { id: 'ReferralFollowUp', schema: C.ReferralFollowUp, description: 'The JSON `referral` part of `POST /referrals` answering a request for information. Part names must be unique.' },
  { id: 'OutcomePayload', schema: C.OutcomePayload, description: 'Payload of `outcome.save-draft` and `outcome.submit`; `supersedes` makes a consultant\'s amendment of a final outcome. A draft needs only decision, diagnosis and advice; a submission must also meet its pathway\'s rules (see Outcome rules).' },
  { id: 'SignOffPayload', schema: C.SignOffPayload, description: 'Payload of `outcome.sign-off`: optionally, fields the consultant amends and a comment for the registrar. May be omitted.' },
  { id: 'ReturnPayload', schema: C.ReturnPayload, description: 'Payload of `outcome.return`: what the registrar is to change.' },
  { id: 'AnnotationPayload', schema: C.AnnotationPayload, description: 'Payload of `annotation.save`.' },
  { id: 'RequestInfoPayload', schema: C.RequestInfoPayload, description: 'Payload of `referral.request-info`: shown to the referrer.' },
  { id: 'EmptyPayload', schema: C.ReferralMutationPayload, description: 'Payload of `referral.claim`, `referral.release` and `annotation.delete`: `{}` or omitted (`null` also counts as omitted).' },
];

/** Query strings: converted like request bodies, rendered as parameters (not components). */
const QUERIES: Named[] = [
  { id: 'ChangesQuery', schema: C.ChangesQuery, description: 'Query of `GET /changes`.' },
  { id: 'AuditQuery', schema: C.AuditQuery, description: 'Query of `GET /audit`.' },
  { id: 'MetricsQuery', schema: C.MetricsQuery, description: 'Query of `GET /metrics`.' },
];

const RESPONSES: Named[] = [
  { id: 'ErrorBody', schema: C.ErrorBody, description: 'Every error. `error` may carry more fields (see Errors).' },
  { id: 'Health', schema: C.Health, description: 'Answer of `GET /health`.' },
  { id: 'SessionResponse', schema: C.SessionResponse, description: 'Answer of `POST /sessions`.' },
  { id: 'ReferralCreated', schema: C.ReferralCreated, description: 'Answer of `POST /referrals`: the referral\'s id and each stored image by the part it came in.' },
  { id: 'ChangesPage', schema: C.ChangesPage, description: 'One page of the change feed.' },
  { id: 'Change', schema: C.Change, description: 'One entry of the change feed: an entity\'s state after a change, or its deletion.' },
  { id: 'EntityType', schema: C.EntityType, description: 'The kinds of entity the change feed carries.' },
  { id: 'Referral', schema: C.Referral, description: 'A referral as the feed and the detail carry it.' },
  { id: 'ReferralStatus', schema: C.ReferralStatus, description: 'Where a referral is in its review (see State machines).' },
  { id: 'ImageRecord', schema: C.ImageRecord, description: 'An ingested image; its pixels are served as a Deep Zoom pyramid.' },
  { id: 'Outcome', schema: C.Outcome, description: 'A clinician\'s outcome for a referral.' },
  { id: 'OutcomeStatus', schema: C.OutcomeStatus, description: 'Where an outcome is (see State machines).' },
  { id: 'Annotation', schema: C.Annotation, description: 'A shape, measurement or note on an image.' },
  { id: 'MutationResults', schema: C.MutationResults, description: 'Answer of `POST /mutations`: one result per mutation, in order.' },
  { id: 'MutationResult', schema: C.MutationResult, description: 'What became of one mutation.' },
  { id: 'MutationStatus', schema: C.MutationStatus, description: 'See Mutations.' },
  { id: 'MutationError', schema: C.MutationError, description: 'Why a mutation was rejected or conflicted.' },
  { id: 'ReferralDetail', schema: C.ReferralDetail, description: 'Answer of `GET /referrals/{id}`.' },
  { id: 'AuditList', schema: C.AuditList, description: 'Answer of `GET /audit`.' },
  { id: 'AuditEvent', schema: C.AuditEvent, description: 'One link of the audit hash chain. Carries identifiers, never clinical text.' },
  { id: 'AuditVerification', schema: C.AuditVerification, description: 'Answer of `GET /audit/verify`.' },
  { id: 'Metrics', schema: C.Metrics, description: 'Answer of `GET /metrics`: the service\'s figures for a period (see Service metrics).' },
];

const REF = '#/components/schemas/';

function convert(named: Named[], io: 'input' | 'output', rename: (id: string) => string): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string; description: string }>();
  for (const n of named) registry.add(n.schema, { id: n.id, description: n.description });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', unrepresentable: 'any', uri: (id) => `${REF}${rename(id)}` });
  const descriptions = new Map(named.map((n) => [n.id, n.description]));
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Components live inside the OpenAPI document: no `$schema` or `$id` of their own.
    const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
    out[rename(id)] = { description: descriptions.get(id), ...rest };
  }
  return out;
}

/**
 * Request and response components in one namespace. A shared schema that reads differently
 * in the two directions (a default, a coercion) gets an `Input` twin for requests.
 */
function components(): { schemas: Record<string, JsonSchema>; queries: Record<string, JsonSchema>; directions: Record<string, string> } {
  const same = (id: string) => id;
  const input = [...SHARED, ...REQUESTS, ...QUERIES];
  const output = [...SHARED, ...RESPONSES];
  const firstIn = convert(input, 'input', same);
  const out = convert(output, 'output', same);
  const differs = new Set(Object.keys(firstIn).filter((id) => id in out && JSON.stringify(firstIn[id]) !== JSON.stringify(out[id])));
  const rename = (id: string) => (differs.has(id) ? `${id}Input` : id);
  const inn = convert(input, 'input', rename);
  const queries: Record<string, JsonSchema> = {};
  for (const q of QUERIES) {
    queries[q.id] = inn[q.id]!;
    delete inn[q.id];
  }
  const all: Record<string, JsonSchema> = { ...inn, ...out };
  // Only what a request, a query or a response reaches (a shared type may have no request twin).
  const reach = (roots: string[], extra: unknown[] = []): Set<string> => {
    const reached = new Set<string>();
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string' && x.startsWith(REF)) {
            const id = x.slice(REF.length);
            if (!reached.has(id)) {
              reached.add(id);
              visit(all[id]);
            }
          } else visit(x);
        }
      }
    };
    for (const id of roots) {
      reached.add(id);
      visit(all[id]);
    }
    extra.forEach(visit);
    return reached;
  };
  const inRequests = reach(REQUESTS.map((n) => n.id), [queries]);
  const inResponses = reach(RESPONSES.map((n) => n.id));
  const schemas = Object.fromEntries(Object.keys(all).filter((k) => inRequests.has(k) || inResponses.has(k)).sort().map((k) => [k, all[k]!]));
  const directions = Object.fromEntries(
    Object.keys(schemas).map((k) => [k, inRequests.has(k) && inResponses.has(k) ? 'request and response' : inRequests.has(k) ? 'request' : 'response']),
  );
  return { schemas, queries, directions };
}

const ref = (id: string) => ({ $ref: `${REF}${id}` });

// ---------------------------------------------------------------------------------------------
// Endpoints: one table for both documents.

interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: JsonSchema;
}

interface Reply {
  status: number;
  description: string;
  content?: { type: string; schema: JsonSchema };
  headers?: Record<string, string>;
}

interface Endpoint {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form, `{param}`. */
  path: string;
  operationId: string;
  summary: string;
  /** Who may call: `null` anyone (no token), `'signed-in'` any role, else these roles. */
  roles: readonly C.Role[] | 'signed-in' | null;
  description: string;
  params?: Param[];
  body?: { type: string; schema: JsonSchema; description: string; encoding?: Record<string, unknown> };
  replies: Reply[];
  /** Error statuses this endpoint answers with the error body. */
  errors: number[];
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Malformed: not JSON, not well-formed HTTP or multipart, or refused by the schema.',
  401: 'No token, or the token is invalid, expired, idle too long or revoked; or wrong credentials.',
  403: 'The caller\'s role may not do this.',
  404: 'Unknown id, or an id that is not the caller\'s to know about.',
  409: 'Conflicts with the current state.',
  413: 'Too large: a body, the referral part, an image or a part count over its limit.',
  414: 'A path segment longer than the router accepts.',
  415: 'Wrong media type.',
  422: 'Well-formed but invalid: an image that does not decode, a part that is missing or not described.',
  429: 'Too many failed sign-ins; `Retry-After` says when to try again.',
  431: 'Request line or headers over the HTTP parser\'s limit.',
};

function queryParams(schema: JsonSchema, descriptions: Record<string, string>): Param[] {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: required.has(name), description: descriptions[name] ?? '', schema: s }));
}

function endpoints(queries: Record<string, JsonSchema>): Endpoint[] {
  const idParam = (what: string): Param => ({ name: 'id', in: 'path', required: true, description: `The ${what}'s id.`, schema: ref('Uuid') });
  const json = (id: string) => ({ type: 'application/json', schema: ref(id) });
  const defaultLimit = (queries.ChangesQuery?.properties as Record<string, JsonSchema> | undefined)?.limit?.default;
  return [
    {
      method: 'get', path: '/api/v1/health', operationId: 'health', summary: 'Is the service up', roles: null,
      description: 'No token needed. `database` names the backend in use.',
      replies: [{ status: 200, description: 'Up.', content: json('Health') }], errors: [],
    },
    {
      method: 'post', path: '/api/v1/sessions', operationId: 'signIn', summary: 'Sign in', roles: null,
      description: 'Exchanges a username and password for a bearer token. Refused sign-ins are counted per username and per client address; past the limit the answer is 429 until the window has passed (see Limits), even for the right password.',
      body: { ...json('SignInRequest'), description: 'The credentials.' },
      replies: [{ status: 201, description: 'Signed in.', content: json('SessionResponse') }], errors: [400, 401, 413, 415, 429],
    },
    {
      method: 'delete', path: '/api/v1/sessions/current', operationId: 'signOut', summary: 'Sign out', roles: 'signed-in',
      description: 'Revokes the token the request carries; it no longer works anywhere.',
      replies: [{ status: 204, description: 'Signed out.' }], errors: [401],
    },
    {
      method: 'post', path: '/api/v1/referrals', operationId: 'submitReferral', summary: 'Submit a referral or a follow-up', roles: REFERRAL_SUBMITTERS,
      description: 'A `multipart/form-data` body: one field `referral` (JSON, a `ReferralSubmission` or, with `followUpTo`, a `ReferralFollowUp`) and one file part per image, named as in `images[].part`. Stored whole or not at all (see Submitting referrals).',
      body: {
        type: 'multipart/form-data',
        description: 'The referral part and the images.',
        schema: {
          type: 'object',
          properties: { referral: { oneOf: [ref('ReferralSubmission'), ref('ReferralFollowUp')] } },
          required: ['referral'],
          additionalProperties: { type: 'string', contentMediaType: 'application/octet-stream', description: 'An image file part, named as its `images[].part`.' },
        },
        encoding: { referral: { contentType: 'application/json' } },
      },
      replies: [{ status: 201, description: 'Stored: the referral\'s id (for a follow-up, the referral it answers) and the new images.', content: json('ReferralCreated') }],
      errors: [400, 401, 403, 404, 409, 413, 415, 422],
    },
    {
      method: 'get', path: '/api/v1/changes', operationId: 'changes', summary: 'Page through the change feed', roles: 'signed-in',
      description: 'Changes in `seq` order, only those the caller may see (see Change feed).',
      params: queryParams(queries.ChangesQuery!, { after: 'The `cursor` of the previous page; omitted: from the start.', limit: `Most changes to return (default ${String(defaultLimit)}).` }),
      replies: [{ status: 200, description: 'A page.', content: json('ChangesPage') }], errors: [400, 401],
    },
    {
      method: 'post', path: '/api/v1/mutations', operationId: 'mutate', summary: 'Apply a batch of mutations', roles: CLINICIANS,
      description: 'Each mutation stands alone: one result per mutation, in order (see Mutations). The batch as a whole is refused (400) only when its envelope does not parse.',
      body: { ...json('MutationBatch'), description: 'The mutations.' },
      replies: [{ status: 200, description: 'One result per mutation.', content: json('MutationResults') }], errors: [400, 401, 403, 413, 415],
    },
    {
      method: 'get', path: '/api/v1/referrals/{id}', operationId: 'referral', summary: 'A referral in full', roles: CLINICIANS,
      description: 'The referral with its images, outcomes, annotations, timeline and the patient\'s other referrals. The view is audited.',
      params: [idParam('referral')],
      replies: [{ status: 200, description: 'The referral.', content: json('ReferralDetail') }], errors: [400, 401, 403, 404, 414],
    },
    {
      method: 'get', path: '/api/v1/images/{id}/image.dzi', operationId: 'imageDescriptor', summary: 'Deep Zoom descriptor of an image', roles: CLINICIANS,
      description: 'The XML descriptor of the image\'s pyramid (format, tile size, overlap, size). The view is audited. `Cache-Control: private, no-cache`.',
      params: [idParam('image')],
      replies: [{ status: 200, description: 'The descriptor.', content: { type: 'application/xml', schema: { type: 'string' } } }], errors: [400, 401, 403, 404, 414],
    },
    {
      method: 'get', path: '/api/v1/images/{id}/image_files/{level}/{col}_{row}.{ext}', operationId: 'imageTile', summary: 'One tile of an image\'s pyramid', roles: CLINICIANS,
      description: 'Tiles never change: `Cache-Control: private, max-age=31536000, immutable` and a strong `ETag`; `If-None-Match` with it answers 304. Anything that is not a well-formed path to an existing tile is 404.',
      params: [
        idParam('image'),
        { name: 'level', in: 'path', required: true, description: 'Pyramid level, 0 = 1×1 pixel.', schema: { type: 'string', pattern: '^\\d{1,2}$' } },
        { name: 'col', in: 'path', required: true, description: 'Column.', schema: { type: 'string', pattern: '^\\d{1,6}$' } },
        { name: 'row', in: 'path', required: true, description: 'Row.', schema: { type: 'string', pattern: '^\\d{1,6}$' } },
        { name: 'ext', in: 'path', required: true, description: '`jpeg` (or `jpg`).', schema: { type: 'string', enum: ['jpeg', 'jpg'] } },
      ],
      replies: [
        { status: 200, description: 'The tile.', content: { type: 'image/jpeg', schema: { type: 'string', contentMediaType: 'image/jpeg' } }, headers: { ETag: 'Strong validator of the tile.', 'Cache-Control': '`private, max-age=31536000, immutable`' } },
        { status: 304, description: 'Not modified (`If-None-Match` matched).' },
      ],
      errors: [400, 401, 403, 404, 414],
    },
    {
      method: 'get', path: '/api/v1/images/{id}/thumbnail.jpg', operationId: 'imageThumbnail', summary: 'Thumbnail of an image', roles: CLINICIANS,
      description: 'A small JPEG (longest side 320 px), immutable like tiles. Not in the contract; the workstation\'s worklist uses it.',
      params: [idParam('image')],
      replies: [
        { status: 200, description: 'The thumbnail.', content: { type: 'image/jpeg', schema: { type: 'string', contentMediaType: 'image/jpeg' } } },
        { status: 304, description: 'Not modified.' },
      ],
      errors: [400, 401, 403, 404, 414],
    },
    {
      method: 'get', path: '/api/v1/audit', operationId: 'auditEvents', summary: 'Audit events about an entity', roles: AUDIT_READERS,
      description: 'Every audit event naming the entity, oldest first, as they were before this request; the read is itself audited.',
      params: queryParams(queries.AuditQuery!, { entityId: 'The entity: a referral, image, outcome or annotation.' }),
      replies: [{ status: 200, description: 'The events.', content: json('AuditList') }], errors: [400, 401, 403],
    },
    {
      method: 'get', path: '/api/v1/audit/verify', operationId: 'verifyAudit', summary: 'Check the audit hash chain', roles: AUDIT_VERIFIERS,
      description: 'Walks the whole chain from its first event. `{"ok":true,"events":N}` when intact, else `{"ok":false,"brokenAt":seq}`. A chain alone cannot show deletion of its newest events; compare `events` with a count kept elsewhere.',
      replies: [{ status: 200, description: 'The verdict.', content: json('AuditVerification') }], errors: [401, 403],
    },
    {
      method: 'get', path: '/api/v1/metrics', operationId: 'metrics', summary: 'The service\'s figures for a period', roles: METRICS_READERS,
      description: 'Requests received, decisions by type, share answered without a hospital appointment, USC discharge share, response time (median, 95th percentile, share within target), image rejection rate and workload per reviewer, for whole UTC days `from` to `to` inclusive (see Service metrics). The read is audited (the period and counts only).',
      params: queryParams(queries.MetricsQuery!, { from: 'First day of the period (UTC), inclusive.', to: 'Last day of the period (UTC), inclusive; at most two years after `from`.' }),
      replies: [{ status: 200, description: 'The figures.', content: json('Metrics') }], errors: [400, 401, 403],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// OpenAPI

const ERROR_RESPONSE = (status: number) => `Error${status}`;

function openApi(schemas: Record<string, JsonSchema>, eps: Endpoint[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of eps) {
    const responses: Record<string, unknown> = {};
    for (const r of e.replies) {
      responses[String(r.status)] = {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
        ...(r.content ? { content: { [r.content.type]: { schema: r.content.schema } } } : {}),
      };
    }
    for (const s of e.errors) responses[String(s)] = { $ref: `#/components/responses/${ERROR_RESPONSE(s)}` };
    (paths[e.path] ??= {})[e.method] = {
      operationId: e.operationId,
      summary: e.summary,
      description: e.description,
      'x-loupe-roles': e.roles === null ? 'anyone' : e.roles === 'signed-in' ? 'signed-in' : [...e.roles],
      ...(e.roles === null ? { security: [] } : {}),
      ...(e.params ? { parameters: e.params.map((p) => ({ name: p.name, in: p.in, required: p.required, description: p.description, schema: p.schema })) } : {}),
      ...(e.body
        ? { requestBody: { required: true, description: e.body.description, content: { [e.body.type]: { schema: e.body.schema, ...(e.body.encoding ? { encoding: e.body.encoding } : {}) } } } }
        : {}),
      responses,
    };
  }
  const statuses = [...new Set(eps.flatMap((e) => e.errors))].sort((a, b) => a - b);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Loupe referral service',
      version: C.API_VERSION,
      description: 'The HTTP contract between the referral service and its clients. Generated from the zod schemas in `shared/contract/` by `scripts/api-docs.ts`; `docs/api.md` explains it.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: `http://127.0.0.1:${Config.parse({}).port}`, description: 'A service started with `npm run service` on its default port' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The `token` from `POST /api/v1/sessions`.' } },
      responses: Object.fromEntries(
        statuses.map((s) => [ERROR_RESPONSE(s), { description: ERROR_NAMES[s] ?? `HTTP ${s}`, content: { 'application/json': { schema: ref('ErrorBody') } } }]),
      ),
      schemas,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown rendering of JSON Schema

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const link = (id: string) => `[${id}](#${id.toLowerCase()})`;
const refId = (s: JsonSchema) => (typeof s.$ref === 'string' ? s.$ref.slice(REF.length) : undefined);

function isNull(s: JsonSchema): boolean {
  return s.type === 'null';
}

function bounds(lo: unknown, hi: unknown, unit: string): string {
  const l = typeof lo === 'number' && lo > -MAX_SAFE ? lo : undefined;
  const h = typeof hi === 'number' && hi < MAX_SAFE ? hi : undefined;
  if (l !== undefined && h !== undefined) return l === h ? `${l} ${unit}` : `${l}–${h} ${unit}`;
  if (l !== undefined) return `at least ${l} ${unit}`;
  if (h !== undefined) return `at most ${h} ${unit}`;
  return '';
}

/** One line saying what a value may be. */
function typeText(s: JsonSchema): string {
  const id = refId(s);
  if (id) return link(id);
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts) {
    const nonNull = alts.filter((a) => !isNull(a));
    const text = nonNull.map(typeText).join(' or ');
    return nonNull.length < alts.length ? `${text} or \`null\`` : text;
  }
  if (s.const !== undefined) return code(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map(code).join(', ')}`;
  if (Array.isArray(s.type)) {
    const types = s.type as string[];
    const text = types.filter((t) => t !== 'null').map((t) => typeText({ ...s, type: t })).join(' or ');
    return types.includes('null') ? `${text} or \`null\`` : text;
  }
  const extra: string[] = [];
  switch (s.type) {
    case 'string': {
      if (typeof s.format === 'string') return `string (${s.format})`;
      const b = bounds(s.minLength, s.maxLength, 'characters');
      if (b) extra.push(b);
      if (typeof s.pattern === 'string') extra.push(`matching ${code(s.pattern)}`);
      if (typeof s.contentMediaType === 'string') extra.push(s.contentMediaType);
      return ['string', ...extra].join(', ');
    }
    case 'integer':
    case 'number': {
      const lo = s.exclusiveMinimum !== undefined ? `above ${String(s.exclusiveMinimum)}` : undefined;
      const b = lo ? [lo, bounds(undefined, s.maximum, '').trim()].filter(Boolean).join(', ') : bounds(s.minimum, s.maximum, '').trim();
      return b ? `${String(s.type)}, ${b}` : String(s.type);
    }
    case 'boolean':
    case 'null':
      return String(s.type);
    case 'array': {
      const items = (s.items ?? {}) as JsonSchema;
      const b = bounds(s.minItems, s.maxItems, 'items');
      return `array of ${typeText(items)}${b ? ` (${b})` : ''}`;
    }
    case 'object': {
      if (s.properties) return 'object';
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return `object of string → ${typeText(s.additionalProperties as JsonSchema)}`;
      return 'object';
    }
    default:
      return 'any JSON value';
  }
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  notes: string;
}

function objectVariant(s: JsonSchema): boolean {
  return s.type === 'object' && typeof s.properties === 'object';
}

/** Fields of an object, nested inline objects flattened with dotted names. */
function rows(s: JsonSchema, prefix = ''): Row[] {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  const out: Row[] = [];
  for (const [name, p] of Object.entries(props)) {
    const field = `${prefix}${name}`;
    const notes: string[] = [];
    if (p.default !== undefined) notes.push(`default ${code(p.default)}`);
    if (typeof p.description === 'string') notes.push(p.description);
    out.push({ field, type: typeText(p), required: required.has(name), notes: notes.join('; ') });
    if (objectVariant(p)) out.push(...rows(p, `${field}.`));
    // `object or null`: the object's fields, when present.
    const alts = (p.anyOf ?? p.oneOf) as JsonSchema[] | undefined;
    const inner = alts?.filter(objectVariant);
    if (inner?.length === 1) out.push(...rows(inner[0]!, `${field}.`));
    const items = p.type === 'array' ? (p.items as JsonSchema | undefined) : undefined;
    if (items && objectVariant(items)) out.push(...rows(items, `${field}[].`));
  }
  return out;
}

function table(rs: Row[]): string {
  if (rs.length === 0) return 'No fields.\n';
  return [
    '| field | type | required | notes |',
    '|---|---|---|---|',
    ...rs.map((r) => `| \`${r.field}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.notes)} |`),
  ].join('\n') + '\n';
}

function strictNote(s: JsonSchema): string {
  return s.additionalProperties === false ? ' Unknown fields are refused in requests.' : '';
}

function schemaSection(id: string, s: JsonSchema, direction: string): string {
  const head = `### ${id}\n\n${typeof s.description === 'string' ? `${s.description} ` : ''}_In ${direction === 'request and response' ? 'requests and responses' : `${direction}s`}._`;
  const alts = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alts && alts.every(objectVariant)) {
    const parts = alts.map((a, i) => {
      const tag = Object.entries((a.properties ?? {}) as Record<string, JsonSchema>).find(([, p]) => p.const !== undefined);
      return `Shape ${i + 1}${tag ? ` (\`${tag[0]}\`: ${code(tag[1].const)})` : ''}:\n\n${table(rows(a))}`;
    });
    return `${head}\n\nOne of these shapes:\n\n${parts.join('\n')}`;
  }
  if (objectVariant(s)) return `${head}${direction !== 'response' ? strictNote(s) : ''}\n\n${table(rows(s))}`;
  return `${head}\n\n${typeText(s)}.\n`;
}

// ---------------------------------------------------------------------------------------------
// Prose

const who = (roles: Endpoint['roles']): string =>
  roles === null ? 'anyone' : roles === 'signed-in' ? 'signed in (any role)' : roles.map(code).join(', ');

const REFERRAL_EVENTS: Record<ReferralEvent, string> = {
  claim: '`referral.claim`',
  release: '`referral.release`',
  'request-info': '`referral.request-info`',
  'follow-up': 'the referrer\'s follow-up (`POST /referrals` with `followUpTo`)',
  'submit-final': 'a consultant\'s `outcome.submit`',
  'submit-for-signoff': 'a registrar\'s `outcome.submit`',
  'sign-off': '`outcome.sign-off`',
  return: '`outcome.return`',
  amend: 'a consultant\'s amendment (`outcome.submit` with `supersedes`)',
};

const OUTCOME_EVENTS: Record<OutcomeEvent, string> = {
  save: '`outcome.save-draft` by its author (or a consultant, on a registrar\'s outcome)',
  'submit-final': 'a consultant\'s `outcome.submit`',
  'submit-for-signoff': 'a registrar\'s `outcome.submit`',
  'sign-off': '`outcome.sign-off` (a consultant, not its author)',
  return: '`outcome.return` (a consultant)',
  supersede: 'an amendment that supersedes it becomes final',
};

interface MutationDoc {
  entity: string;
  baseVersion: string;
  payload: string;
  effect: string;
}

const MUTATIONS: Record<C.MutationType, MutationDoc> = {
  'referral.claim': {
    entity: 'the referral', baseVersion: 'the referral\'s current `version`', payload: 'EmptyPayload',
    effect: 'Takes the referral into the caller\'s review (`assignedTo`). Refused if someone else has it.',
  },
  'referral.release': {
    entity: 'the referral', baseVersion: 'the referral\'s current `version`', payload: 'EmptyPayload',
    effect: 'Gives it back to the worklist. Its assignee, or any consultant, may release it.',
  },
  'referral.request-info': {
    entity: 'the referral', baseVersion: 'the referral\'s current `version`', payload: 'RequestInfoPayload',
    effect: 'Asks the referrer for more information or better images (shown in their feed, with the structured `reasons` if given); the referral waits in `waiting-info`. The request\'s id is the mutation\'s id.',
  },
  'outcome.save-draft': {
    entity: 'the outcome (new id made by the client)', baseVersion: 'omitted or 0 for a new outcome, else its current `version`', payload: 'OutcomePayload',
    effect: 'Creates or updates a draft with every field sent (a field left out is cleared). Not checked against the pathway rules. Its author edits it; a consultant may also edit a registrar\'s draft (supervision), which stays the registrar\'s. Two edits from the same version: the second is a `conflict`.',
  },
  'outcome.submit': {
    entity: 'the outcome', baseVersion: 'as for `outcome.save-draft`', payload: 'OutcomePayload',
    effect: 'Refused (`outcome_invalid`) unless the outcome meets its referral\'s pathway rules. A consultant\'s submit makes the outcome `final` and the referral `done`; a registrar\'s puts both in `awaiting-signoff`. One submitted outcome per referral. With `supersedes`, a consultant amends a final outcome: the new one is final, the old one `superseded`.',
  },
  'outcome.sign-off': {
    entity: 'the outcome', baseVersion: 'its current `version`', payload: 'SignOffPayload',
    effect: 'Finalises a registrar\'s submitted outcome, optionally amended; never one\'s own. The amended outcome must meet the pathway rules (`outcome_invalid`). `signedOff` keeps the comment, the registrar\'s values of the fields that changed (`before`) and their names (`amendedFields`).',
  },
  'outcome.return': {
    entity: 'the outcome', baseVersion: 'its current `version`', payload: 'ReturnPayload',
    effect: 'Sends a submitted outcome back to its registrar with a comment; the referral returns to their review.',
  },
  'annotation.save': {
    entity: 'the annotation (new id made by the client)', baseVersion: 'omitted or 0 for a new one, else its current `version`', payload: 'AnnotationPayload',
    effect: 'Creates or changes a shape on an image; it must lie inside the image. Only its author changes it. Never shown to referrers.',
  },
  'annotation.delete': {
    entity: 'the annotation', baseVersion: 'its current `version`', payload: 'EmptyPayload',
    effect: 'Its author or a consultant deletes it; the feed carries a deletion (`deleted: true`, `data: null`).',
  },
};

/** The rules of `shared/domain/outcome-rules.ts`, in words (a record, so none can be missed). */
const OUTCOME_RULE_WORDS: Record<OutcomeRule, string> = {
  'usc-downgrade-needs-agreement': 'a USC referral given a decision that takes it off the suspected-cancer pathway (anything but `usc-appointment`, `biopsy-urgent`, `redirect`, `request-info`), or a priority below `usc`, needs `referrerAgreement`',
  'request-info-needs-reason': 'decision `request-info` needs at least one `requestReasons` entry',
  'discharge-needs-safety-netting': 'decision `discharge` needs `safetyNetting`',
  'priority-fits-pathway': '`priority` is USC, urgent or routine for advice and USC referrals, a P-code for waiting lists',
  'waiting-list-needs-priority': 'a waiting-list outcome needs a P-code `priority`',
  'waiting-list-needs-review': 'a waiting-list outcome needs `listReview`',
  'removal-needs-patient-agreement': 'discharging a resolved waiting-list patient needs `patientAgreedToRemoval: true`',
};
const OUTCOME_RULES = Object.entries(OUTCOME_RULE_WORDS);

const REFUSAL_CODES: [string, string][] = [
  ['invalid_payload', 'the payload does not parse with its type\'s schema; the message lists every problem'],
  ['outcome_invalid', 'the submitted or signed-off outcome breaks its pathway\'s rules; the message names each, and `error.issues` lists `{field, rule}`'],
  ['role_not_allowed', 'the caller\'s role may not send this type'],
  ['mutation_id_reused', 'the id was already used by another user, type or entity'],
  ['unknown_referral, unknown_outcome, unknown_annotation, unknown_image', 'no such entity'],
  ['referral_closed, referral_not_decided, referral_not_awaiting_signoff', 'the referral is not in a state that allows it'],
  ['referral_already_decided', 'another outcome for the referral is final or awaiting sign-off'],
  ['already_claimed, not_claimed, not_assignee', 'claiming someone else\'s referral, releasing one nobody has'],
  ['not_author, own_outcome, amendment_needs_consultant', 'who may change, sign off or amend'],
  ['outcome_not_editable, not_awaiting_signoff, not_final, supersedes_mismatch, referral_mismatch', 'the outcome is not in a state or shape that allows it'],
  ['shape_outside_image, image_mismatch, annotation_deleted', 'annotation rules'],
  ['version_conflict', 'status `conflict`: `baseVersion` is not the current version; `currentVersion` says what is'],
];

const ERROR_CODES: [number, string][] = [
  [400, '`invalid_request` (a schema refused it; `issues` lists `{path, message}`), `malformed_json`, `malformed_url`, `malformed_multipart`, `malformed_request`, `invalid_cursor`, `unexpected_field`, `invalid_part_name`, `missing_referral`'],
  [401, '`unauthorized`, `invalid_credentials`'],
  [403, '`forbidden`'],
  [404, '`not_found`'],
  [409, '`referral_not_waiting`'],
  [413, '`payload_too_large`, `referral_too_large`, `image_too_large`, `image_too_many_pixels`, `too_many_images`, `too_many_parts`, `too_many_fields`'],
  [414, '`uri_too_long`'],
  [415, '`unsupported_media_type`'],
  [422, '`image_not_decodable`, `image_format_not_accepted`, `image_not_processable`, `missing_image_part`, `unexpected_image_part`'],
  [429, '`too_many_attempts` (with `retryAfterSeconds` and a `Retry-After` header)'],
  [431, '`headers_too_large` (answered by the HTTP parser, before any route)'],
];

const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

function limitsTable(schemas: Record<string, JsonSchema>, queries: Record<string, JsonSchema>): string {
  const d = Config.parse({});
  const batch = ((schemas.MutationBatch?.properties as Record<string, JsonSchema> | undefined)?.mutations ?? {}) as JsonSchema;
  const limit = ((queries.ChangesQuery?.properties as Record<string, JsonSchema> | undefined)?.limit ?? {}) as JsonSchema;
  const images = ((schemas.ReferralSubmission?.properties as Record<string, JsonSchema> | undefined)?.images ?? {}) as JsonSchema;
  const rowsOf: [string, string, string][] = [
    ['JSON request body', mib(JSON_BODY_LIMIT), '413 `payload_too_large`'],
    ['`referral` part of a submission', mib(REFERRAL_PART_LIMIT), '413 `referral_too_large`'],
    ['path parameter (an id)', '100 characters', '414 `uri_too_long`'],
    ['image file size', `${mib(d.limits.imageBytes)} (\`--max-image-bytes\`, \`LOUPE_MAX_IMAGE_BYTES\`)`, '413 `image_too_large`, naming the part'],
    ['image size in pixels', `${String(d.limits.imagePixels).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} (\`--max-image-pixels\`); checked from the header before decoding`, '413 `image_too_many_pixels`, naming the part'],
    ['images per submission', `${d.limits.imagesPerReferral} file parts (\`--max-images-per-referral\`); the schema allows ${String(images.maxItems)} described images`, '413 `too_many_images`'],
    ['mutations per batch', `${String(batch.minItems)}–${String(batch.maxItems)}`, '400 `invalid_request`'],
    ['changes per page', `${String(limit.minimum)}–${String(limit.maximum)}, default ${String(limit.default)}`, '400 `invalid_request`'],
    ['session lifetime', `${d.sessionAbsoluteMinutes} minutes from sign-in (\`--session-absolute-minutes\`)`, '401 `unauthorized`'],
    ['session idle time', `${d.sessionIdleMinutes} minutes without a request (\`--session-idle-minutes\`)`, '401 `unauthorized`'],
    ['metrics period', 'two years (`from` to `to`)', '400 `invalid_request`'],
    [
      'refused sign-ins',
      `${d.signInThrottle.maxPerUsername} per username and ${d.signInThrottle.maxPerAddress} per client address within ${d.signInThrottle.windowMinutes} minutes (\`--signin-*\`)`,
      '429 `too_many_attempts`',
    ],
  ];
  return ['| limit | default | past it |', '|---|---|---|', ...rowsOf.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

function referralMachine(): string {
  const events = Object.keys(REFERRAL_EVENTS) as ReferralEvent[];
  const head = `| from \\ event | ${events.map(code).join(' | ')} |`;
  const lines = C.ReferralStatus.options.map((from) => {
    const cells = events.map((e) => {
      const to = nextReferralStatus(from, e);
      if (!to) return '—';
      const assigned = nextReferralStatus(from, e, { assigned: true });
      return assigned && assigned !== to ? `${code(to)} (${code(assigned)} if it has a reviewer)` : code(to);
    });
    return `| ${code(from)} | ${cells.join(' | ')} |`;
  });
  const legend = events.map((e) => `- ${code(e)}: ${REFERRAL_EVENTS[e]}`).join('\n');
  return `${legend}\n\n${head}\n|---|${events.map(() => '---').join('|')}|\n${lines.join('\n')}\n`;
}

function outcomeMachine(): string {
  const events = Object.keys(OUTCOME_EVENTS) as OutcomeEvent[];
  const states = ['none', ...C.OutcomeStatus.options] as const;
  const head = `| from \\ event | ${events.map(code).join(' | ')} |`;
  const lines = states.map((from) => `| ${from === 'none' ? '(new)' : code(from)} | ${events.map((e) => { const to = nextOutcomeStatus(from, e); return to ? code(to) : '—'; }).join(' | ')} |`);
  const legend = events.map((e) => `- ${code(e)}: ${OUTCOME_EVENTS[e]}`).join('\n');
  return `${legend}\n\n${head}\n|---|${events.map(() => '---').join('|')}|\n${lines.join('\n')}\n`;
}

function endpointSection(e: Endpoint): string {
  const lines = [`### ${e.method.toUpperCase()} ${e.path}`, '', `${e.summary}. ${e.description}`, '', `- **Who:** ${who(e.roles)}${e.roles === null ? ' (no token)' : ''}`];
  for (const p of e.params ?? []) lines.push(`- **${p.in === 'path' ? 'Path' : 'Query'} \`${p.name}\`** (${p.required ? 'required' : 'optional'}): ${typeText(p.schema)}. ${p.description}`);
  if (e.body) {
    const id = refId(e.body.schema);
    lines.push(`- **Body** (\`${e.body.type}\`): ${id ? link(id) : e.body.type === 'multipart/form-data' ? `field \`referral\`: ${link('ReferralSubmission')} or ${link('ReferralFollowUp')} as JSON; one file part per image` : typeText(e.body.schema)}`);
  }
  for (const r of e.replies) {
    const id = r.content ? refId(r.content.schema) : undefined;
    lines.push(`- **${r.status}**: ${r.description}${id ? ` ${link(id)}.` : r.content ? ` \`${r.content.type}\`.` : ''}`);
  }
  if (e.errors.length) lines.push(`- **Errors:** ${e.errors.join(', ')}, with the error body.`);
  return `${lines.join('\n')}\n`;
}

function markdown(schemas: Record<string, JsonSchema>, queries: Record<string, JsonSchema>, eps: Endpoint[], directions: Record<string, string>): string {
  const d = Config.parse({});
  const mutationRows = C.MutationType.options.map((t) => {
    const m = MUTATIONS[t];
    return `| ${code(t)} | ${MUTATION_ROLES[t].map(code).join(', ')} | ${m.entity} | ${m.baseVersion} | ${link(m.payload)} | ${cell(m.effect)} |`;
  });
  const endpointRows = eps.map((e) => `| \`${e.method.toUpperCase()} ${e.path}\` | ${who(e.roles)} | ${cell(e.summary)} |`);
  const ids = Object.keys(schemas);
  const pageLimit = ((queries.ChangesQuery?.properties as Record<string, JsonSchema> | undefined)?.limit ?? {}) as JsonSchema;
  return `<!-- Generated by \`npx tsx scripts/api-docs.ts\` from shared/contract, service/domain/workflow.ts and service/config.ts. Do not edit by hand. -->

# Loupe referral service API, version ${C.API_VERSION}

The referral service and every client (the workstation, a GP-side submitter, an integration
engine, a test) speak this HTTP+JSON contract. Its schemas live once, as zod, in
\`shared/contract/\`; both sides parse with them. This document and
[\`openapi.json\`](openapi.json) (OpenAPI 3.1) are generated from those schemas and from the
service's own tables by \`scripts/api-docs.ts\`; a unit test fails when they drift.

## Conventions

- Base path \`${C.API_BASE}\`. JSON bodies in UTF-8 (\`Content-Type: application/json\`); a JSON
  endpoint answers any other media type with 415.
- Times are ISO 8601 strings; the service writes UTC. Ids are UUIDs; the service makes v4 ids,
  and ids a client makes (mutations, outcomes, annotations) may be v4 or v7.
- Requests are parsed strictly: an unknown field is refused (400), so a typo never passes
  silently. Responses may gain optional fields in this version; clients should ignore fields
  they do not know.
- The service never trusts a client's role, user id or clock: they come from the token and
  the server's clock. A mutation's \`clientTime\` is checked for form only; the service
  times everything with its own clock.
- API responses carry \`Cache-Control: no-store\` (tiles and thumbnails excepted),
  \`X-Content-Type-Options: nosniff\` and \`Referrer-Policy: no-referrer\`. Cross-origin calls
  are allowed only from the configured origins (default ${d.allowedOrigins.map(code).join(', ')}).

## Authentication and roles

\`POST ${C.API_BASE}/sessions\` with \`{"username","password"}\` answers 201 with a bearer token;
send it as \`Authorization: Bearer <token>\` on every other call but \`GET /health\`. A token
lasts ${d.sessionAbsoluteMinutes} minutes from sign-in and ends after ${d.sessionIdleMinutes} minutes without a
request; \`DELETE /sessions/current\` revokes it. Only the token's SHA-256 is stored.

Roles: ${C.Role.options.map(code).join(', ')}. Clinicians are ${CLINICIANS.map(code).join(' and ')}; a \`referrer\` is a GP
(or another referring clinician); \`admin\` runs the service.

## Errors

Every error has the body ${link('ErrorBody')}: \`{"error":{"code":"<snake_case>","message":"<text>",...}}\`.
\`error\` may carry more: \`issues\` (\`[{path, message}]\`) for \`invalid_request\`; \`part\` naming
the image or part at fault for upload errors; \`retryAfterSeconds\` for 429. No bad input is
answered with 500; a 500 (\`internal_error\`) is a fault of the service.

| status | meaning | codes |
|---|---|---|
${ERROR_CODES.map(([s, codes]) => `| ${s} | ${cell(ERROR_NAMES[s] ?? 'Request headers too large.')} | ${cell(codes)} |`).join('\n')}

A mutation that is refused is not an HTTP error: \`POST /mutations\` answers 200 with a result
per mutation (see Mutations).

## Endpoints

| method and path | who | what |
|---|---|---|
${endpointRows.join('\n')}

${eps.map(endpointSection).join('\n')}
## Submitting referrals

\`POST ${C.API_BASE}/referrals\` takes \`multipart/form-data\` from a \`referrer\` (or an \`admin\`):

- one field \`referral\`: JSON text, a ${link('ReferralSubmission')} for a new referral;
- one file part per image, named as its \`images[].part\` (1–64 letters, digits, \`_\` or \`-\`),
  in any order. Every described image needs a file part and every file part a description
  (422 \`missing_image_part\` / \`unexpected_image_part\`); no other fields (400
  \`unexpected_field\`).

Each file is streamed to disk and validated by decoding it, never by its name or declared
type: JPEG, PNG, WebP, TIFF and HEIF are accepted; anything else, or a file that does not
decode completely, is 422 naming the part. Metadata (GPS, device EXIF) never reaches anything
served. The submission is stored whole or not at all: if any image fails, nothing is stored and
the answer names it. The answer is 201 ${link('ReferralCreated')}: the referral's \`id\` and, for
each image, its \`id\`, \`part\`, \`width\` and \`height\`.

**Follow-ups.** When a clinician has asked for more (\`referral.request-info\`, the referral is
\`waiting-info\`), the referrer answers with the same endpoint, the \`referral\` field being a
${link('ReferralFollowUp')}: \`{"followUpTo": <referral id>, "response": <text>, "history"?: {...},
"images": [...]}\` with a file part per new image (none is fine). \`history\` is merged over what
the referral holds. The answer is 201 with the referral's id and the new images; the referral
goes back to the worklist (\`new\`, or \`in-review\` if it has a reviewer). A follow-up to a
referral that is not waiting is 409 \`referral_not_waiting\`; to a referral of another
referrer, 404.

## Mutations

\`POST ${C.API_BASE}/mutations\` takes \`{"mutations":[...]}\` (${link('MutationBatch')}), from
clinicians only (403 for others). Each ${link('Mutation')} is
\`{"id","type","entityId","baseVersion"?,"payload","clientTime"}\`; \`id\` is made by the client
and makes it idempotent. The answer has one ${link('MutationResult')} per mutation, in order:

- \`applied\`: done now; \`entityVersion\` is the entity's new version.
- \`duplicate\`: this \`id\` was already applied (by the same user, to the same entity and type);
  nothing changed again; \`entityVersion\` repeats the first result's.
- \`conflict\`: \`baseVersion\` is not the entity's current version; nothing changed;
  \`error.currentVersion\` says what it is.
- \`rejected\`: not allowed or invalid; nothing changed; \`error\` says why.

A batch is not a transaction: each mutation stands alone, and one refused mutation does not
stop the others. Applying a mutation, recording its id, its change-feed entries and its audit
event happen in one database transaction.

| type | who | \`entityId\` | \`baseVersion\` | payload | effect |
|---|---|---|---|---|---|
${mutationRows.join('\n')}

Refusal codes (\`error.code\`):

${REFUSAL_CODES.map(([c, what]) => `- ${c.split(', ').map(code).join(', ')}: ${what}`).join('\n')}

A final outcome is never changed by a later mutation: an amendment is a new outcome that
supersedes it, and both are kept.

## Change feed

\`GET ${C.API_BASE}/changes?after=<cursor>&limit=<n>\` answers ${link('ChangesPage')}:
\`{"changes":[...],"cursor","hasMore"}\`. Each ${link('Change')} carries the entity's \`type\`,
\`id\`, \`version\` after the change and \`data\`, its whole current state (or \`deleted: true\` and
\`data: null\`), in \`seq\` order. Every write appends to the feed in the same transaction as the
write itself.

- **Cursor.** Opaque: pass back the \`cursor\` of the last page as \`after\`. Omit \`after\` to start
  from the beginning. A page with no changes returns the cursor it was given, so a client can
  poll with it. A cursor the service did not issue is 400 \`invalid_cursor\`.
- **Paging.** \`limit\` is ${String(pageLimit.minimum)}–${String(pageLimit.maximum)} (default ${String(pageLimit.default)}). \`hasMore: true\` means
  more changes are already waiting: ask again at once with the new cursor.
- **Visibility.** Clinicians see every change. A referrer (and an admin) sees only changes about
  referrals they submitted: the referrals, their images and their *final* (or superseded)
  outcomes, never drafts, outcomes awaiting sign-off, returned outcomes or annotations. A
  final outcome reaches them without the supervision around it: \`returned\` is null and
  \`signedOff\` has no \`comment\`, \`before\` or \`amendedFields\`.
- **Replay.** An entity may appear several times; the latest entry (highest \`seq\`) is its
  current state. Applying entries in order, keeping the higher \`version\`, is safe to repeat.

## Outcome rules

A draft needs only a decision, a diagnosis and the advice to the GP: a clinician may save half
an answer. \`outcome.submit\` (amendments included) and \`outcome.sign-off\` (on the outcome as
amended) check the referral's pathway rules (\`shared/domain/outcome-rules.ts\`, the same ones
the workstation's form explains beside each field) and refuse with \`outcome_invalid\`, naming
every rule broken; \`error.issues\` lists them as \`{field, rule}\`:

${OUTCOME_RULES.map(([rule, what]) => `- ${code(rule)}: ${what}`).join('\n')}

Each referral's \`dueAt\` is set when it arrives, from the pathway's turnaround target in working
days (Monday to Friday): advice ${d.targetWorkingDays.advice}, USC ${d.targetWorkingDays.usc}, waiting list ${d.targetWorkingDays['waiting-list']} by default
(\`--target-advice-days\`, \`--target-usc-days\`, \`--target-waiting-list-days\` or
\`LOUPE_TARGET_*\`).

## Service metrics

\`GET ${C.API_BASE}/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD\` (consultants and administrators)
answers ${link('Metrics')} for whole UTC days, \`from\` and \`to\` included:

- **Received**: referrals received in the period, by pathway.
- **Decisions**: referrals decided in the period, i.e. whose first outcome became final then
  (a consultant's submission, or the sign-off of a registrar's); counted under the decision
  standing at the end of the period, so a later amendment does not rewrite a past report.
- **Without appointment**: decisions \`advice\` or \`discharge\`. **USC discharge**: USC
  referrals decided in the period and discharged.
- **Response time**: hours from receipt to the first final outcome; median and 95th percentile
  (linear between closest ranks), and the share decided by the referral's \`dueAt\`; overall and
  per pathway.
- **Image rejection**: referrals received in the period for which better images were asked
  (a request of kind \`better-images\` or with an image reason, or a final \`request-info\`
  outcome with an image reason).
- **Workload**: per reviewer, outcomes they wrote that became final in the period
  (amendments included) and sign-offs they gave.

A share is \`null\` when nothing was counted under it, as are the median and percentile.

## Limits

${limitsTable(schemas, queries)}
## State machines

Every state change asks the transition tables in \`service/domain/workflow.ts\`; these tables
are read from them. A dash is a change that is refused (\`rejected\`).

### Referral states

${referralMachine()}
\`claim\` and \`release\` do not move a referral that is \`waiting-info\`; a clinician may still
decide while it waits.

### Outcome states

${outcomeMachine()}
Only its author edits a draft or returned outcome. A referral takes one submitted outcome at a
time; a final outcome is never edited, only superseded by a consultant's amendment.

## Schemas

Each schema below is rendered from zod; the request ones as the service reads them, the
response ones as it writes them.

${ids.map((id) => schemaSection(id, schemas[id]!, directions[id] ?? 'request and response')).join('\n')}`;
}

// ---------------------------------------------------------------------------------------------

export function renderApiDocs(): ApiDocs {
  const { schemas, queries, directions } = components();
  const eps = endpoints(queries);
  return {
    openapi: `${JSON.stringify(openApi(schemas, eps), null, 2)}\n`,
    markdown: markdown(schemas, queries, eps, directions),
  };
}

/** Where the files live, relative to the repository root. */
export const API_DOC_FILES = { openapi: 'docs/openapi.json', markdown: 'docs/api.md' } as const;

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const docs = renderApiDocs();
  await writeFile(path.join(root, API_DOC_FILES.openapi), docs.openapi);
  await writeFile(path.join(root, API_DOC_FILES.markdown), docs.markdown);
  process.stdout.write(`wrote ${API_DOC_FILES.openapi} and ${API_DOC_FILES.markdown}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`api-docs: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
