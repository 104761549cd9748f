import { Dialog } from "./Dialog";
import { ALL_SHORTCUTS, shortcutsFor } from "./ShortcutBar";

/** Every shortcut; Esc or Close returns to where the person was. */
export function ShortcutHelp({ onClose, canBook = true }: { onClose: () => void; canBook?: boolean }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table table--dense">
        <tbody>
          {shortcutsFor(ALL_SHORTCUTS, canBook).map(([key, what]) => (
            <tr key={key}>
              <th scope="row">
                <kbd>{key}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
