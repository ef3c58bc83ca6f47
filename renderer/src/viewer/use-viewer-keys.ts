import { useEffect, useRef } from 'react';
import { isTypingTarget } from '../app/typing-target';
import { commandFor, type ViewerCommand } from './keymap';

/** Keys that other widgets own when they have focus (the strip's and sliders' arrows). */
const ARROW_OWNERS = 'input[type="range"], input[type="radio"], .image-strip, [role="listbox"], [role="radiogroup"], [role="tablist"], [role="menu"]';

/**
 * The viewer's keyboard: listens on the window in the capture phase, so a mode that consumes
 * Escape does so before the case view would take Escape as "back to the worklist". The handler
 * returns whether it acted; only then is the key's default prevented.
 */
export function useViewerKeys(handler: (command: ViewerCommand) => boolean, enabled = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return;
      const command = commandFor(e);
      if (!command) return;
      if (command.startsWith('pan-') && e.target instanceof Element && e.target.closest(ARROW_OWNERS)) return;
      // Inside an open dialog only Escape and ? mean anything to the viewer.
      if (e.target instanceof Element && e.target.closest('dialog') && command !== 'help') return;
      if (latest.current(command)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [enabled]);
}
