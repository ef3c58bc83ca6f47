/**
 * WebGL renderer names of software rasterisers (SwiftShader, llvmpipe, Windows' basic
 * driver): machines where OpenSeadragon's WebGL drawer is the slow one. Pure, so it is tested
 * without a browser.
 */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render driver|microsoft basic/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}
