/** Whether a key event comes from somewhere the user is typing, where shortcuts must not fire. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable="true"]')) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}
