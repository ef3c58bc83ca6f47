import { describe, expect, it } from 'vitest';
import { dziMaxLevel, parseDzi, renderDzi } from '../../shared/dzi';

describe('Deep Zoom descriptors', () => {
  it('round-trips through render and parse', () => {
    const d = { format: 'jpeg' as const, tileSize: 254, overlap: 1, width: 6000, height: 4000 };
    expect(parseDzi(renderDzi(d))).toEqual(d);
  });

  it('parses what libvips writes', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Image xmlns="http://schemas.microsoft.com/deepzoom/2008"
  Format="jpeg"
  Overlap="1"
  TileSize="254"
  >
  <Size
    Height="1200"
    Width="1600"
  />
</Image>`;
    expect(parseDzi(xml)).toEqual({ format: 'jpeg', tileSize: 254, overlap: 1, width: 1600, height: 1200 });
  });

  it('rejects malformed descriptors with a clear error', () => {
    expect(() => parseDzi('<html></html>')).toThrow(/not a Deep Zoom descriptor/);
    expect(() => parseDzi('<Image Format="gif" Overlap="1" TileSize="254"><Size Width="1" Height="1"/></Image>')).toThrow();
    expect(() => parseDzi('<Image Format="jpeg" Overlap="1" TileSize="254"><Size Width="-5" Height="1"/></Image>')).toThrow();
  });

  it('counts levels like OpenSeadragon', () => {
    expect(dziMaxLevel(1, 1)).toBe(0);
    expect(dziMaxLevel(256, 100)).toBe(8);
    expect(dziMaxLevel(6000, 4000)).toBe(13);
  });
});
