/** Inputs that take no typed text: a shortcut key pressed on one of them is still a shortcut. */
const NOT_TYPED = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

/**
 * Whether a key event comes from somewhere the user is typing, where shortcuts must not fire.
 * A slider, checkbox or radio button is not typing: Escape or C there still act on the viewer.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  if (target.closest('textarea, select, [contenteditable="true"]')) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}
