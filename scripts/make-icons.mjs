// Renders the app icons from resources/icons/icon.svg: icon.png (1024×1024, macOS and
// Windows; electron-builder derives .icns/.ico from it) and 256x256.png (Linux).
// Run after editing the SVG: `node scripts/make-icons.mjs`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const iconsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');
const svg = await readFile(path.join(iconsDir, 'icon.svg'));

for (const [name, size] of [['icon.png', 1024], ['256x256.png', 256]]) {
  const out = path.join(iconsDir, name);
  // Rasterise at the target size (density scales the 1024-unit SVG), not by shrinking a bitmap.
  await sharp(svg, { density: (72 * size) / 1024 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(out);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${size}×${size})`);
}
