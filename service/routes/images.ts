import type { ReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Uuid } from '../../shared/contract';
import { renderDzi } from '../../shared/dzi';
import type { ServiceContext } from '../context';
import { notFound } from '../http/http-error';
import { CLINICIANS, requireUser } from '../http/require-user';

// `Uuid` lowers the id, so an id in capitals finds the image the store names in lower case.
const IdParams = z.object({ id: Uuid });
const TileParams = z.object({
  id: Uuid,
  level: z.string().regex(/^\d{1,2}$/).transform(Number),
  tile: z.string().regex(/^\d{1,6}_\d{1,6}\.(jpeg|jpg)$/),
});

// Pyramids never change once built, so a tile's identity is a valid strong validator.
const IMMUTABLE = 'private, max-age=31536000, immutable';

function imageId(params: unknown): string {
  const p = IdParams.safeParse(params);
  if (!p.success) throw notFound('Image');
  return p.data.id;
}

/**
 * Sends an immutable JPEG, answering a matching revalidation with 304 before touching the
 * disk; `what` names the resource in the 404.
 */
async function sendImmutableJpeg(req: FastifyRequest, reply: FastifyReply, etag: string, what: string, open: () => Promise<ReadStream | undefined>) {
  reply.header('cache-control', IMMUTABLE).header('etag', etag);
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  const stream = await open();
  if (!stream) throw notFound(what);
  return reply.type('image/jpeg').send(stream);
}

export function imageRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/images/:id/image.dzi', async (req, reply) => {
    const user = await requireUser(ctx, req, CLINICIANS);
    const id = imageId(req.params);
    const image = await ctx.repo.transaction(async (tx) => {
      const img = await tx.getImage(id);
      if (img) await tx.appendAudit({ actorId: user.id, action: 'image.view', entityType: 'image', entityId: id, detail: { referralId: img.referralId } }, ctx.now().toISOString());
      return img;
    });
    if (!image) throw notFound('Image');
    const xml = renderDzi({ format: image.format, tileSize: image.tileSize, overlap: image.overlap, width: image.width, height: image.height });
    return reply.header('cache-control', 'private, no-cache').type('application/xml; charset=utf-8').send(xml);
  });

  app.get('/images/:id/image_files/:level/:tile', async (req, reply) => {
    await requireUser(ctx, req, CLINICIANS);
    const p = TileParams.safeParse(req.params);
    if (!p.success) throw notFound('Tile');
    const [col, row, ext] = p.data.tile.split(/[_.]/) as [string, string, string];
    return sendImmutableJpeg(req, reply, `"${p.data.id}/${p.data.level}/${col}_${row}"`, 'Tile', () =>
      ctx.store.openTile(p.data.id, p.data.level, Number(col), Number(row), ext === 'jpg' ? 'jpeg' : ext),
    );
  });

  app.get('/images/:id/thumbnail.jpg', async (req, reply) => {
    await requireUser(ctx, req, CLINICIANS);
    const id = imageId(req.params);
    return sendImmutableJpeg(req, reply, `"${id}/thumbnail"`, 'Image', () => ctx.store.openThumbnail(id));
  });
}
