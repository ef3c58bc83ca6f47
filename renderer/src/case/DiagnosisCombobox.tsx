import { useId, useMemo, useState, type KeyboardEvent, type Ref } from 'react';
import { diagnosisByCode, searchDiagnoses, type DiagnosisMatch } from '../../../shared/diagnosis-terms';
import type { DraftDiagnosis } from '../../../shared/viewer/workbench';

interface Props {
  id: string;
  value: DraftDiagnosis;
  onChange(value: DraftDiagnosis): void;
  onBlur?(): void;
  inputRef?: Ref<HTMLInputElement>;
  invalid?: boolean;
  describedBy?: string;
  disabled?: boolean;
}

/**
 * A diagnosis: free text, or a coded SNOMED CT term picked from the type-ahead (the ARIA 1.2
 * combobox pattern: the input keeps focus, arrows move the active option, Enter picks it,
 * Escape closes the list). Typing after a pick drops the code, so a code never stays on text
 * it does not name. The label is the caller's (`<label htmlFor={id}>`).
 */
export function DiagnosisCombobox({ id, value, onChange, onBlur, inputRef, invalid, describedBy, disabled }: Props) {
  const listId = `${id}-list`;
  const codeId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const matches = useMemo(() => (open ? searchDiagnoses(value.text) : []), [open, value.text]);
  const expanded = open && matches.length > 0;
  const known = diagnosisByCode(value.code || undefined);

  const pick = (m: DiagnosisMatch) => {
    onChange({ text: m.term.term, code: m.term.code });
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        setOpen(true);
        setActive(0);
        return;
      }
      if (!matches.length) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + matches.length) % matches.length);
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && expanded) {
      // Picks the active option, or keeps the typed text: never submits the form.
      e.preventDefault();
      const m = active >= 0 ? matches[active] : undefined;
      if (m) pick(m);
      else {
        setOpen(false);
        setActive(-1);
      }
    } else if (e.key === 'Escape' && expanded) {
      // Closes the list only; the case view must not take this Escape as "back".
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  };

  const describedByIds = [value.code ? codeId : '', describedBy ?? ''].filter(Boolean).join(' ') || undefined;

  return (
    <div className="combobox">
      <input
        id={id}
        ref={inputRef}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedByIds}
        value={value.text}
        disabled={disabled}
        onChange={(e) => {
          const text = e.target.value;
          // A code stays only while the text is still its term.
          const code = value.code && diagnosisByCode(value.code)?.term === text ? value.code : '';
          onChange({ text, code });
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          setOpen(false);
          setActive(-1);
          onBlur?.();
        }}
      />
      <ul id={listId} role="listbox" aria-label="Coded terms" className="combobox-list" hidden={!expanded}>
        {matches.map((m, i) => (
          <li
            key={m.term.code}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // Keeps focus in the input: the list is part of it.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(m)}
          >
            <span className="term">{m.term.term}</span>
            {m.via && <span className="muted"> ({m.via})</span>}
            <span className="code">{m.term.code}</span>
            {!m.term.verified && <span className="unverified">unverified code</span>}
          </li>
        ))}
      </ul>
      {value.code && (
        <p id={codeId} className="diagnosis-code small">
          SNOMED CT {value.code}
          {known && !known.verified && (
            <span className="unverified" title={known.source}>
              {' '}
              unverified code
            </span>
          )}
        </p>
      )}
    </div>
  );
}
