import { describe, expect, it } from 'vitest';
import { isSoftwareRenderer } from '../../renderer/src/case/software-renderer';

describe('OpenSeadragon drawer choice', () => {
  it('recognises software rasterisers, which get the canvas drawer', () => {
    for (const r of [
      'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      'llvmpipe (LLVM 15.0.6, 256 bits)',
      'Microsoft Basic Render Driver',
      'Google SwiftShader',
    ]) {
      expect(isSoftwareRenderer(r), r).toBe(true);
    }
  });

  it('keeps WebGL for hardware renderers', () => {
    for (const r of ['ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)', 'Apple M2', 'NVIDIA GeForce RTX 3060/PCIe/SSE2', 'Mesa Intel(R) Xe Graphics (TGL GT2)']) {
      expect(isSoftwareRenderer(r), r).toBe(false);
    }
  });
});
