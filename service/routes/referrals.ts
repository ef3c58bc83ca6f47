import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/multipart';
import { z } from 'zod';
import { ReferralFollowUp, ReferralSubmission, Uuid, type ReferralDetail } from '../../shared/contract';
import type { ServiceContext } from '../context';
import { HttpError, badRequest, notFound } from '../http/http-error';
import { CLINICIANS, requireUser } from '../http/require-user';
import { addFollowUp } from '../referrals/add-follow-up';
import { createReferral, type UploadedImage } from '../referrals/create-referral';
import { readReferralDetail } from '../referrals/referral-detail';

const IdParams = z.object({ id: Uuid });

export function referralRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/referrals', async (req, reply) => {
    const user = await requireUser(ctx, req, ['referrer', 'admin']);
    if (!req.isMultipart()) throw new HttpError(415, 'unsupported_media_type', 'Send the referral as multipart/form-data');
    const uploadDir = await ctx.store.stagingDir();
    const uploads = new Map<string, UploadedImage>();
    try {
      let referralJson: string | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname !== 'referral') throw badRequest('unexpected_field', `Unexpected field "${part.fieldname}"`);
          if (typeof part.value !== 'string') throw badRequest('invalid_request', 'The referral part must be JSON text');
          // busboy cuts a field at the multipart `fieldSize` limit; the rest is not JSON.
          if (part.valueTruncated) throw new HttpError(413, 'referral_too_large', 'The referral part is over the size limit', { part: 'referral' });
          referralJson = part.value;
          continue;
        }
        const name = part.fieldname;
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(name) || uploads.has(name)) {
          part.file.resume();
          throw badRequest('invalid_part_name', `File part name "${name.slice(0, 64)}" is invalid or repeated`);
        }
        // Streamed to disk and hashed on the way: nothing is held whole in memory.
        const tempFile = path.join(uploadDir, `${uploads.size}.upload`);
        const hash = createHash('sha256');
        const hasher = new Transform({ transform(chunk: Buffer, _enc, cb) { hash.update(chunk); cb(null, chunk); } });
        await pipeline(part.file, hasher, createWriteStream(tempFile));
        if (part.file.truncated) {
          throw new HttpError(413, 'image_too_large', `Image "${name}" exceeds ${ctx.config.limits.imageBytes} bytes`, { part: name });
        }
        uploads.set(name, { part: name, tempFile, sha256: hash.digest('hex') });
      }
      if (referralJson === undefined) throw badRequest('missing_referral', 'The multipart body has no "referral" part');
      let raw: unknown;
      try {
        raw = JSON.parse(referralJson);
      } catch {
        throw badRequest('malformed_json', 'The referral part is not valid JSON');
      }
      const deps = { repo: ctx.repo, store: ctx.store, pyramids: ctx.pyramids, limits: ctx.config.limits, targetWorkingDays: ctx.config.targetWorkingDays };
      // A follow-up answers a request for information on an existing referral.
      const created =
        typeof raw === 'object' && raw !== null && 'followUpTo' in raw
          ? await addFollowUp(deps, ReferralFollowUp.parse(raw), uploads, user, ctx.now())
          : await createReferral(deps, ReferralSubmission.parse(raw), uploads, user, ctx.now());
      return reply.status(201).send(created);
    } finally {
      await ctx.store.discard(uploadDir);
    }
  });

  app.get('/referrals/:id', async (req): Promise<ReferralDetail> => {
    const user = await requireUser(ctx, req, CLINICIANS);
    const parsed = IdParams.safeParse(req.params);
    if (!parsed.success) throw notFound('Referral');
    const id = parsed.data.id;
    return ctx.repo.transaction(async (tx) => {
      const detail = await readReferralDetail(tx, id);
      if (!detail) throw notFound('Referral');
      await tx.appendAudit({ actorId: user.id, action: 'referral.view', entityType: 'referral', entityId: id }, ctx.now().toISOString());
      return detail;
    });
  });
}
