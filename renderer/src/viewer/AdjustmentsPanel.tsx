import { useId } from 'react';
import { ADJUSTMENT_RANGES, clampAdjustment, formatAdjustment, isNeutral, NEUTRAL, type Adjustments } from './adjustments';

interface Props {
  value: Adjustments;
  onChange(value: Adjustments): void;
}

/** Brightness, contrast, gamma and saturation sliders for this view only, with a reset. */
export function AdjustmentsPanel({ value, onChange }: Props) {
  const base = useId();
  return (
    <fieldset className="adjustments">
      <legend>Display adjustments (this view only)</legend>
      {ADJUSTMENT_RANGES.map((r) => {
        const id = `${base}-${r.key}`;
        return (
          <div className="adjustment" key={r.key}>
            <label htmlFor={id}>{r.label}</label>
            <input
              id={id}
              type="range"
              min={r.min}
              max={r.max}
              step={r.step}
              value={value[r.key]}
              aria-valuetext={formatAdjustment(r.key, value[r.key])}
              onChange={(e) => onChange({ ...value, [r.key]: clampAdjustment(r.key, Number(e.target.value)) })}
            />
            <output htmlFor={id}>{formatAdjustment(r.key, value[r.key])}</output>
          </div>
        );
      })}
      <button type="button" className="button" disabled={isNeutral(value)} onClick={() => onChange(NEUTRAL)}>
        Reset adjustments
      </button>
    </fieldset>
  );
}
