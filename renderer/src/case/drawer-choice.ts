/**
 * Which OpenSeadragon drawer to ask for. The WebGL drawer is the fast one on a real GPU; on a
 * software rasteriser (SwiftShader, llvmpipe: virtual desktops, machines without GPU drivers)
 * it is the slow one, because every frame is composited back through a pixel read-back, so
 * such machines get the canvas drawer. Measured with `npm run bench -- next-case`.
 */
import { isSoftwareRenderer } from './software-renderer';

let cached: ('webgl' | 'canvas')[] | null = null;

export function preferredDrawers(doc: Document = document): ('webgl' | 'canvas')[] {
  if (cached) return cached;
  let renderer: string;
  try {
    const gl = doc.createElement('canvas').getContext('webgl');
    if (!gl) return (cached = ['canvas']);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    return (cached = ['canvas']);
  }
  cached = isSoftwareRenderer(renderer) ? ['canvas'] : ['webgl', 'canvas'];
  return cached;
}
