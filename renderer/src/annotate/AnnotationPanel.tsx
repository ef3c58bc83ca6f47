import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { AnnotationPayload, type Annotation, type AnnotationShape, type ImageRecord, type Mutation, type Point } from '../../../shared/contract';
import { calibrateMmPerPixel, formatMeasurement, measureShape } from '../../../shared/viewer/measure';
import { useSession } from '../app/session';
import { usePendingEntityIds } from '../data/hooks';
import { localEffects } from '../data/store/local-effects';
import { describeError } from '../format/errors';
import { isTypingTarget } from '../app/typing-target';
import { TOOL_KEYS, TOOLS, toolForKey, type Tool } from './draw-tool';
import './annotate.css';

export interface PendingShape {
  readonly shape: AnnotationShape;
  readonly tool: Tool;
}

export type ScaleSource = 'metadata' | 'calibration';

export interface AnnotationPanelProps {
  readonly image: ImageRecord;
  /** The image's annotations (others are left out, so the referral's whole list may be passed). */
  readonly annotations: readonly Annotation[];
  readonly tool: Tool | null;
  onToolChange(tool: Tool | null): void;
  readonly selectedId: string | null;
  onSelect(id: string | null): void;
  readonly mmPerPixel: number | null;
  readonly scaleSource: ScaleSource | null;
  /** What the clinician has just drawn, waiting for a label (or, for a calibration, a length). */
  readonly pendingShape: PendingShape | null;
  onPendingDone(): void;
  onCalibrate(from: Point, to: Point, knownMm: number): void;
}

const TOOL_LABELS: Readonly<Record<Tool, string>> = {
  point: 'Point',
  line: 'Line (measure)',
  rect: 'Rectangle',
  ellipse: 'Ellipse',
  polygon: 'Polygon',
  freehand: 'Freehand',
  calibrate: 'Calibrate scale',
};

const TOOL_HINTS: Readonly<Record<Tool, string>> = {
  point: 'Click to place a point.',
  line: 'Drag from one end to the other to measure.',
  rect: 'Drag from corner to corner.',
  ellipse: 'Drag a box around the lesion; the ellipse fills it.',
  polygon: 'Click each corner; double-click, press Enter or click the first corner to finish. Backspace removes the last corner.',
  freehand: 'Hold and draw round the lesion, then release.',
  calibrate: 'Drag along a ruler in the image, then enter the length it covers.',
};

const KIND_LABELS: Readonly<Record<AnnotationShape['kind'], string>> = {
  point: 'Point',
  line: 'Line',
  rect: 'Rectangle',
  ellipse: 'Ellipse',
  polygon: 'Polygon',
  freehand: 'Freehand',
};

const annotationName = (a: Annotation): string => a.label ?? KIND_LABELS[a.shape.kind];

const usableScale = (mm: number | null): number | null => (mm !== null && Number.isFinite(mm) && mm > 0 ? mm : null);

/** "0.050", and enough decimals for two significant figures on a fine scale ("0.0043"). */
function formatScale(mmPerPixel: number): string {
  const decimals = Math.min(8, Math.max(3, 1 - Math.floor(Math.log10(mmPerPixel))));
  return mmPerPixel.toFixed(decimals);
}

function scaleText(mmPerPixel: number | null, source: ScaleSource | null): string {
  if (mmPerPixel === null) return 'No scale: calibrate on a ruler to measure in mm';
  const from = source === 'calibration' ? ' from calibration' : source === 'metadata' ? ' from the image’s metadata' : '';
  return `Scale: ${formatScale(mmPerPixel)} mm/px${from}`;
}

const measurementsText = (shape: AnnotationShape, mmPerPixel: number | null): string[] => measureShape(shape, mmPerPixel).map(formatMeasurement);

/**
 * The annotation side panel for the image on screen: tools, the scale measurements use, the
 * form for what was just drawn, and the image's annotations. Saving and deleting are actions
 * like any other: stored with their local effect first, sent by the sync.
 */
export function AnnotationPanel(props: AnnotationPanelProps) {
  const { image, annotations, tool, onToolChange, selectedId, onSelect, pendingShape, onPendingDone, onCalibrate, scaleSource } = props;
  const mmPerPixel = usableScale(props.mmPerPixel);
  const id = useId();
  const [status, setStatus] = useState('');

  const onImage = useMemo(
    () => annotations.filter((a) => a.imageId === image.id).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
    [annotations, image.id],
  );

  useToolKeys(tool, onToolChange);

  return (
    <section className="panel annotation-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Annotations</h2>
      <div className="annotation-tools" role="toolbar" aria-label="Annotation tools">
        {TOOLS.map((t) => (
          <button
            key={t}
            type="button"
            className="button"
            aria-pressed={tool === t}
            aria-keyshortcuts={TOOL_KEYS[t]}
            title={`${TOOL_LABELS[t]} · key ${TOOL_KEYS[t]}`}
            onClick={() => onToolChange(tool === t ? null : t)}
          >
            {TOOL_LABELS[t]}
          </button>
        ))}
      </div>
      {tool && (
        <p className="muted small annotation-hint">
          {TOOL_HINTS[tool]} Esc cancels.
        </p>
      )}
      <p className={`small annotation-scale${mmPerPixel === null ? ' no-scale' : ''}`}>{scaleText(mmPerPixel, scaleSource)}</p>

      {pendingShape && pendingShape.tool === 'calibrate' && pendingShape.shape.kind === 'line' && (
        <CalibrationForm
          key={shapeKey(pendingShape.shape)}
          from={pendingShape.shape.from}
          to={pendingShape.shape.to}
          onCancel={onPendingDone}
          onDone={(from, to, knownMm, mm) => {
            onCalibrate(from, to, knownMm);
            setStatus(`Scale set: ${formatScale(mm)} mm/px.`);
            onPendingDone();
          }}
        />
      )}
      {pendingShape && pendingShape.tool !== 'calibrate' && (
        <NewAnnotationForm
          key={shapeKey(pendingShape.shape)}
          image={image}
          shape={pendingShape.shape}
          mmPerPixel={mmPerPixel}
          onCancel={onPendingDone}
          onSaved={(annotationId, message) => {
            setStatus(message);
            onSelect(annotationId);
            onPendingDone();
          }}
        />
      )}

      <p role="status" className="small muted">
        {status}
      </p>

      <AnnotationList annotations={onImage} selectedId={selectedId} onSelect={onSelect} mmPerPixel={mmPerPixel} onStatus={setStatus} />
    </section>
  );
}

/** A new drawing gets a fresh form; the same one (a re-render) keeps what was typed. */
function shapeKey(shape: AnnotationShape): string {
  return JSON.stringify(shape);
}

/**
 * Tool shortcuts (see TOOL_KEYS), and Escape to put the tool down. Keys someone else used
 * (a gesture in progress, the viewer's own modes) arrive prevented and are left alone.
 */
function useToolKeys(tool: Tool | null, onToolChange: (tool: Tool | null) => void): void {
  const latest = useRef({ tool, onToolChange });
  latest.current = { tool, onToolChange };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || isTypingTarget(e.target)) return;
      if (e.target instanceof Element && e.target.closest('dialog')) return;
      const { tool: current, onToolChange: change } = latest.current;
      if (e.key === 'Escape' && current && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        change(null);
        return;
      }
      const picked = toolForKey(e);
      if (!picked) return;
      e.preventDefault();
      change(current === picked ? null : picked);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

interface NewAnnotationFormProps {
  readonly image: ImageRecord;
  readonly shape: AnnotationShape;
  readonly mmPerPixel: number | null;
  onCancel(): void;
  onSaved(annotationId: string, message: string): void;
}

function NewAnnotationForm({ image, shape, mmPerPixel, onCancel, onSaved }: NewAnnotationFormProps) {
  const { workspace, user } = useSession();
  const id = useId();
  const [label, setLabel] = useState('');
  const [note, setNote] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const labelRef = useRef<HTMLInputElement>(null);
  // The annotation's id is made once, so a retried save after a failure is the same annotation.
  const annotationId = useRef(crypto.randomUUID());

  useEffect(() => labelRef.current?.focus(), []);

  const measures = measurementsText(shape, mmPerPixel);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setFailure(null);
    const parsed = AnnotationPayload.safeParse({
      imageId: image.id,
      shape,
      ...(label.trim() ? { label } : {}),
      ...(note.trim() ? { note } : {}),
    });
    if (!parsed.success) {
      setFailure('This annotation cannot be saved: check the label and note for unusual characters.');
      return;
    }
    const mutation: Omit<Mutation, 'baseVersion'> = {
      id: crypto.randomUUID(),
      type: 'annotation.save',
      entityId: annotationId.current,
      payload: parsed.data,
      clientTime: new Date().toISOString(),
    };
    setBusy(true);
    try {
      const effects = localEffects(mutation, { user, now: mutation.clientTime, outcome: null, referral: null, image, annotation: null });
      await workspace.act({ mutation, effects });
      const queued = workspace.sync.getStatus().network !== 'online' ? ' It will be sent when the service can be reached.' : '';
      onSaved(annotationId.current, `Annotation saved.${queued}`);
    } catch (err) {
      setFailure(`The annotation could not be stored on this workstation: ${describeError(err)}`);
      setBusy(false);
    }
  }

  return (
    <form className="annotation-form" aria-label="New annotation" noValidate onSubmit={(e) => void save(e)} onKeyDown={escapeCancels(onCancel)}>
      <p className="form-title">New {KIND_LABELS[shape.kind].toLowerCase()}</p>
      {measures.length > 0 && (
        <ul className="annotation-measures small" aria-label="Measurements">
          {measures.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <div className="field">
        <label htmlFor={`${id}-label`}>Label</label>
        <input
          id={`${id}-label`}
          ref={labelRef}
          type="text"
          autoComplete="off"
          maxLength={200}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          disabled={busy}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-note`}>Note</label>
        <textarea id={`${id}-note`} rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} disabled={busy} />
      </div>
      {failure && (
        <p className="alert small" role="alert">
          {failure}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          Save
        </button>
        <button type="button" className="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface CalibrationFormProps {
  readonly from: Point;
  readonly to: Point;
  onCancel(): void;
  onDone(from: Point, to: Point, knownMm: number, mmPerPixel: number): void;
}

function CalibrationForm({ from, to, onCancel, onDone }: CalibrationFormProps) {
  const id = useId();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const drawn = measurementsText({ kind: 'line', from, to }, null)[0];

  useEffect(() => inputRef.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() === '') {
      setError('Enter the known length in millimetres.');
      inputRef.current?.focus();
      return;
    }
    const knownMm = Number(value);
    try {
      // The same check the scale will be made with: one rule, one message.
      const mm = calibrateMmPerPixel(from, to, knownMm);
      onDone(from, to, knownMm, mm);
    } catch (err) {
      setError(err instanceof RangeError ? err.message : describeError(err));
      inputRef.current?.focus();
    }
  };

  return (
    <form className="annotation-form" aria-label="Calibrate scale" noValidate onSubmit={submit} onKeyDown={escapeCancels(onCancel)}>
      <p className="form-title">Calibrate scale</p>
      {drawn && <p className="small muted">Line drawn: {drawn}</p>}
      <div className={`field${error ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-mm`}>Known length (mm)</label>
        <input
          id={`${id}-mm`}
          ref={inputRef}
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-mm-error` : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            if (error) setError(null);
          }}
        />
        {error && (
          <p id={`${id}-mm-error`} className="field-error">
            <span aria-hidden="true">⚠ </span>
            {error}
          </p>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="button primary">
          Set scale
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Escape inside a form drops it, and is not taken as "back to the worklist". */
function escapeCancels(onCancel: () => void) {
  return (e: ReactKeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    onCancel();
  };
}

interface AnnotationListProps {
  readonly annotations: readonly Annotation[];
  readonly selectedId: string | null;
  onSelect(id: string | null): void;
  readonly mmPerPixel: number | null;
  onStatus(message: string): void;
}

function AnnotationList({ annotations, selectedId, onSelect, mmPerPixel, onStatus }: AnnotationListProps) {
  const pending = usePendingEntityIds();
  if (annotations.length === 0) return <p className="muted small">No annotations on this image yet.</p>;
  return (
    <ul className="annotation-list" aria-label="Annotations on this image">
      {annotations.map((a) => (
        <AnnotationItem
          key={a.id}
          annotation={a}
          selected={a.id === selectedId}
          unsent={pending.has(a.id)}
          onSelect={onSelect}
          mmPerPixel={mmPerPixel}
          onStatus={onStatus}
        />
      ))}
    </ul>
  );
}

interface AnnotationItemProps {
  readonly annotation: Annotation;
  readonly selected: boolean;
  readonly unsent: boolean;
  onSelect(id: string | null): void;
  readonly mmPerPixel: number | null;
  onStatus(message: string): void;
}

function AnnotationItem({ annotation: a, selected, unsent, onSelect, mmPerPixel, onStatus }: AnnotationItemProps) {
  const { workspace, user } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const itemRef = useRef<HTMLLIElement>(null);
  const name = annotationName(a);
  const measures = measurementsText(a.shape, mmPerPixel);
  // The service lets the author or a consultant delete; offering it to others only makes refusals.
  const mayDelete = a.author.id === user.id || user.role === 'consultant';

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    // Chosen on the image: bring it into view in the list.
    if (selected) itemRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);

  async function remove() {
    setFailure(null);
    const mutation: Omit<Mutation, 'baseVersion'> = {
      id: crypto.randomUUID(),
      type: 'annotation.delete',
      entityId: a.id,
      payload: {},
      clientTime: new Date().toISOString(),
    };
    try {
      const effects = localEffects(mutation, { user, now: mutation.clientTime, outcome: null, referral: null, annotation: a });
      await workspace.act({ mutation, effects });
      if (selected) onSelect(null);
      onStatus(`Annotation “${name}” deleted.`);
    } catch (err) {
      setFailure(`Not deleted: ${describeError(err)}`);
      setConfirming(false);
    }
  }

  return (
    <li ref={itemRef} data-annotation-id={a.id}>
      <button type="button" className="annotation-select" aria-pressed={selected} onClick={() => onSelect(selected ? null : a.id)}>
        {name}
      </button>
      <p className="small muted">
        {a.label ? `${KIND_LABELS[a.shape.kind]} · ` : ''}
        {a.author.name}
        {unsent && <span className="annotation-unsent"> · Not yet sent</span>}
      </p>
      {measures.length > 0 && <p className="small annotation-measures">{measures.join(' · ')}</p>}
      {a.note && <p className="small annotation-note">{a.note}</p>}
      {failure && (
        <p className="alert small" role="alert">
          {failure}
        </p>
      )}
      {mayDelete && (
        <div className="annotation-actions">
          {confirming ? (
            <>
              <span className="small">Delete this annotation?</span>
              <button type="button" ref={confirmRef} className="button danger" onClick={() => void remove()}>
                Confirm delete
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="button" aria-label={`Delete annotation ${name}`} onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
      )}
    </li>
  );
}
