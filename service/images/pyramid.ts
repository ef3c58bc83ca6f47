import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { HttpError } from '../http/http-error';

export interface PyramidSettings {
  tileSize: number;
  overlap: number;
  quality: number;
}

/**
 * 254 px tiles with 1 px overlap make 256 px on the wire, OpenSeadragon's and libvips' default.
 * Issue #3 measures alternatives; the settings travel with each image record, so changing them
 * later does not break existing pyramids.
 */
export const DEFAULT_PYRAMID: PyramidSettings = { tileSize: 254, overlap: 1, quality: 85 };

export interface PyramidResult {
  width: number;
  height: number;
}

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'heif']);

/** The longest side of `thumbnail.jpg`, in pixels. */
export const THUMBNAIL_SIZE = 320;

/**
 * Validates an upload by decoding it (never by name or declared type), then writes an
 * auto-oriented sRGB Deep Zoom pyramid and a thumbnail into `outDir`. Of the metadata only a
 * colour profile is written, and it is libvips' own compact sRGB profile (480 bytes), never
 * the upload's: EXIF (GPS, device), XMP and IPTC never reach what is served.
 */
export async function buildPyramid(
  src: string,
  outDir: string,
  label: string,
  limits: { pixels: number },
  settings: PyramidSettings = DEFAULT_PYRAMID,
): Promise<PyramidResult> {
  let meta: Metadata;
  try {
    // Reads the header only: the pixel count is checked before any pixels are decoded.
    meta = await sharp(src, { limitInputPixels: false }).metadata();
  } catch {
    throw new HttpError(422, 'image_not_decodable', `Image "${label}" is not a readable image`, { part: label });
  }
  if (!meta.format || !ACCEPTED_FORMATS.has(meta.format) || !meta.width || !meta.height) {
    throw new HttpError(422, 'image_format_not_accepted', `Image "${label}" is ${meta.format ?? 'of an unknown format'}; JPEG, PNG, WebP, TIFF or HEIF are accepted`, { part: label });
  }
  if (meta.width * meta.height > limits.pixels) {
    throw new HttpError(413, 'image_too_many_pixels', `Image "${label}" has ${meta.width}×${meta.height} pixels; the limit is ${limits.pixels}`, { part: label });
  }
  // withIccProfile('srgb') tags the output as sRGB (colour managed viewers need not guess) and
  // keeps nothing else: sharp's `keep` then covers the ICC profile only, for tiles too.
  const input = () =>
    sharp(src, { limitInputPixels: limits.pixels, failOn: 'warning' }).autoOrient().toColourspace('srgb').withIccProfile('srgb');
  const pyramid = input()
    .jpeg({ quality: settings.quality })
    .tile({ size: settings.tileSize, overlap: settings.overlap, layout: 'dz' })
    // libvips appends .dzi itself and writes tiles beside it in image_files/.
    .toFile(path.join(outDir, 'image'));
  // Built alongside the pyramid, not after it: a JPEG thumbnail decodes at 1/8 scale
  // (shrink-on-load, ~0.1 s for 24 MP), and the pyramid's decode and tile writing leave a core
  // idle for it. A truncated file is still caught by the pyramid's full decode.
  const thumbnail = input().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' }).jpeg({ quality: 80 }).toFile(path.join(outDir, 'thumbnail.jpg'));
  // Both settle before anything is reported, so no write into outDir outlives this call.
  const [built, thumb] = await Promise.allSettled([pyramid, thumbnail]);
  if (built.status === 'rejected' || thumb.status === 'rejected') {
    throw new HttpError(422, 'image_not_decodable', `Image "${label}" could not be decoded completely (truncated or corrupt)`, { part: label });
  }
  return { width: built.value.width, height: built.value.height };
}
