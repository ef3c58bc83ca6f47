import { z } from 'zod';

/** A Deep Zoom Image descriptor: the XML `image.dzi` the service serves for each pyramid. */
export const DziDescriptor = z.object({
  format: z.enum(['jpeg', 'jpg', 'png', 'webp']),
  tileSize: z.number().int().min(1).max(4096),
  overlap: z.number().int().min(0).max(64),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type DziDescriptor = z.infer<typeof DziDescriptor>;

const DZI_NS = 'http://schemas.microsoft.com/deepzoom/2008';

export function renderDzi(d: DziDescriptor): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Image xmlns="${DZI_NS}" Format="${d.format}" Overlap="${d.overlap}" TileSize="${d.tileSize}">` +
    `<Size Width="${d.width}" Height="${d.height}"/></Image>\n`
  );
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(tag)?.[1];
}

/**
 * Parses a DZI descriptor without a DOM, so the same code runs in every process.
 * Anything that is not a well-formed descriptor throws with a clear message.
 */
export function parseDzi(xml: string): DziDescriptor {
  const image = /<Image\b[^>]*>/.exec(xml)?.[0];
  const size = /<Size\b[^>]*\/?>/.exec(xml)?.[0];
  if (!image || !size) throw new Error('not a Deep Zoom descriptor: <Image> or <Size> missing');
  return DziDescriptor.parse({
    format: attr(image, 'Format'),
    tileSize: Number(attr(image, 'TileSize')),
    overlap: Number(attr(image, 'Overlap')),
    width: Number(attr(size, 'Width')),
    height: Number(attr(size, 'Height')),
  });
}

/** The deepest level of a Deep Zoom pyramid is ceil(log2(max side)); level 0 is 1×1. */
export function dziMaxLevel(width: number, height: number): number {
  return Math.ceil(Math.log2(Math.max(width, height)));
}
