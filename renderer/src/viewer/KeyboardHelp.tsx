import { useEffect, useRef } from 'react';
import { KEY_HELP } from './keymap';

interface Props {
  open: boolean;
  onClose(): void;
}

/** The on-screen list of keys (`?`). A native modal dialog: it traps focus and Escape closes it. */
export function KeyboardHelp({ open, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog ref={ref} className="key-help" aria-labelledby="key-help-title" onClose={onClose}>
      <h2 id="key-help-title">Keyboard shortcuts</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {KEY_HELP.map((k) => (
            <tr key={k.keys}>
              <td>
                <kbd>{k.keys}</kbd>
              </td>
              <td>{k.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Every button also has its key in its tooltip. Tab moves through every control.</p>
      <button type="button" className="button" onClick={onClose} autoFocus>
        Close
      </button>
    </dialog>
  );
}
