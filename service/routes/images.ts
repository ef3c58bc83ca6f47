import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { Uuid } from '../../shared/contract';
import { renderDzi } from '../../shared/dzi';
import type { ServiceContext } from '../context';
import { notFound } from '../http/http-error';
import { CLINICIANS, requireUser } from '../http/require-user';

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

function sendStream(reply: FastifyReply, etag: string, type: string, stream: NodeJS.ReadableStream) {
  return reply.header('cache-control', IMMUTABLE).header('etag', etag).type(type).send(stream);
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
    const etag = `"${p.data.id}/${p.data.level}/${col}_${row}"`;
    if (req.headers['if-none-match'] === etag) return reply.status(304).header('etag', etag).header('cache-control', IMMUTABLE).send();
    const stream = await ctx.store.openTile(p.data.id, p.data.level, Number(col), Number(row), ext === 'jpg' ? 'jpeg' : ext);
    if (!stream) throw notFound('Tile');
    return sendStream(reply, etag, 'image/jpeg', stream);
  });

  app.get('/images/:id/thumbnail.jpg', async (req, reply) => {
    await requireUser(ctx, req, CLINICIANS);
    const id = imageId(req.params);
    const etag = `"${id}/thumbnail"`;
    if (req.headers['if-none-match'] === etag) return reply.status(304).header('etag', etag).header('cache-control', IMMUTABLE).send();
    const stream = await ctx.store.openThumbnail(id);
    if (!stream) throw notFound('Image');
    return sendStream(reply, etag, 'image/jpeg', stream);
  });
}
