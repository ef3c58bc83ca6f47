import { dziMaxLevel, type DziDescriptor } from '../../../shared/dzi';

export const DZI_XMLNS = 'http://schemas.microsoft.com/deepzoom/2008';

/**
 * An OpenSeadragon DZI tile source given as an object, built from the descriptor the client
 * already fetched (with its token), so OpenSeadragon never requests the .dzi itself. Tiles
 * are then requested as `<tilesUrl><level>/<col>_<row>.<format>`.
 */
export function dziTileSource(tilesUrl: string, dzi: DziDescriptor) {
  return {
    Image: {
      xmlns: DZI_XMLNS,
      Url: tilesUrl.endsWith('/') ? tilesUrl : `${tilesUrl}/`,
      Format: dzi.format,
      Overlap: String(dzi.overlap),
      TileSize: String(dzi.tileSize),
      Size: { Width: String(dzi.width), Height: String(dzi.height) },
    },
  };
}

/**
 * The deepest pyramid level whose whole image fits in one tile (tile 0_0), used as a
 * thumbnail when the service has no thumbnail of its own.
 */
export function singleTileLevel(width: number, height: number, tileSize: number): number {
  const max = dziMaxLevel(width, height);
  const longest = Math.max(width, height);
  for (let level = max; level >= 0; level--) {
    if (Math.ceil(longest / 2 ** (max - level)) <= tileSize) return level;
  }
  return 0;
}
