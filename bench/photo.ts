import sharp from 'sharp';

/**
 * Writes a photograph-like JPEG: a skin-tone gradient with darker blobs (lesions), blotchy
 * low-frequency texture and sensor-like grain, q90 with a phone's EXIF (orientation normal).
 * Flat synthetic images compress and decode unrealistically fast; this one costs about what
 * a phone photo of the same size does (≈9 MB at 24 MP).
 */
export async function writePhoto(file: string, width = 6000, height = 4000): Promise<void> {
  const blobs = [
    [0.32, 0.41, 0.05, '#5a3a26'],
    [0.61, 0.55, 0.08, '#7a4a32'],
    [0.78, 0.22, 0.025, '#3b2418'],
    [0.18, 0.74, 0.035, '#8d5a40'],
  ] as const;
  // The smooth layers are drawn at a quarter size and scaled up: full-size SVG filters are slow.
  const [w4, h4] = [Math.round(width / 4), Math.round(height / 4)];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w4}" height="${h4}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#e8bfa0"/><stop offset="0.6" stop-color="#d29c7a"/><stop offset="1" stop-color="#a8735a"/>
    </linearGradient><filter id="soft"><feGaussianBlur stdDeviation="${w4 / 400}"/></filter></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    ${blobs.map(([x, y, r, c]) => `<ellipse cx="${x * w4}" cy="${y * h4}" rx="${r * w4}" ry="${r * w4 * 0.8}" fill="${c}" filter="url(#soft)"/>`).join('')}
  </svg>`;
  const noise = (w: number, h: number, sigma: number) =>
    sharp({ create: { width: w, height: h, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma } } });
  // Intermediate layers stay raw: encoding 24 MP layers to PNG and back would dominate.
  const raw = { width, height, channels: 3 } as const;
  // Blotches mostly in brightness, as skin's are; grain in colour, as a sensor's is.
  const texture = await sharp(await noise(Math.round(width / 12), Math.round(height / 12), 30).greyscale().png().toBuffer())
    .resize(width, height, { kernel: 'cubic' })
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  const grain = await noise(width, height, 12).raw().toBuffer();
  const base = await sharp(Buffer.from(svg)).resize(width, height).removeAlpha().raw().toBuffer();
  await sharp(base, { raw, limitInputPixels: false })
    .composite([
      { input: texture, raw, blend: 'soft-light', limitInputPixels: false },
      { input: grain, raw, blend: 'overlay', limitInputPixels: false },
    ])
    .removeAlpha()
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 1 })
    .withExif({ IFD0: { Make: 'PhoneCo', Model: 'Bench 1' } })
    .toFile(file);
}
