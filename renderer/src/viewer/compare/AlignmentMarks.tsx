import { useEffect, useRef, type PointerEvent } from 'react';
import type { Point } from '../../../../shared/contract';
import { applyAffine, invertAffine, type Affine } from '../../../../shared/viewer/affine';
import { centreInImage, isPlacementKey } from '../centre-placement';

interface Props {
  /** Image pixels → pane pixels at the current view. */
  toScreen: Affine;
  /** Landmarks already picked on this image, in image pixels. */
  points: readonly Point[];
  /** Whether this pane takes the next click. */
  active: boolean;
  label: string;
  onPick(point: Point): void;
}

/**
 * The landmarks of a two-point alignment on one pane: numbered marks where they were picked,
 * and, while it is this pane's turn, a layer that turns the next click into an image point.
 */
export function AlignmentMarks({ toScreen, points, active, label, onPick }: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const latest = useRef({ toScreen, onPick });
  latest.current = { toScreen, onPick };

  // Without a pointer: Space picks the point under the centre cross of the pane whose turn it
  // is; the arrow keys move the images under it (the panes are in step).
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (!isPlacementKey(e) || !svgRef.current) return;
      const p = centreInImage(svgRef.current, latest.current.toScreen);
      if (!p) return;
      e.preventDefault();
      latest.current.onPick(p);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [active]);

  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if (!active || e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    const box = e.currentTarget.getBoundingClientRect();
    const p = applyAffine(invertAffine(toScreen), { x: e.clientX - box.left, y: e.clientY - box.top });
    onPick({ x: p.x, y: p.y });
  };
  return (
    <svg
      ref={svgRef}
      className={`alignment-marks${active ? ' active' : ''}`}
      role="img"
      aria-label={`${label}: ${points.length} of 2 picked`}
      onPointerDown={onPointerDown}
    >
      {points.map((p, i) => {
        const s = applyAffine(toScreen, p);
        return (
          <g key={i} transform={`translate(${s.x} ${s.y})`}>
            <circle r={9} className="alignment-ring" />
            <line x1={-14} x2={14} y1={0} y2={0} className="alignment-cross" />
            <line x1={0} x2={0} y1={-14} y2={14} className="alignment-cross" />
            <text x={12} y={-10} className="alignment-number">
              {i + 1}
            </text>
          </g>
        );
      })}
      {active && (
        <svg x="50%" y="50%" overflow="visible" aria-hidden="true">
          <line x1={-16} x2={16} y1={0} y2={0} className="alignment-cross" />
          <line x1={0} x2={0} y1={-16} y2={16} className="alignment-cross" />
        </svg>
      )}
    </svg>
  );
}
