import { Dialog } from "./Dialog";
import { helpList } from "../shortcuts";

/** Every shortcut this person has, their tabs among them; Esc or Close returns to where they were. */
export function ShortcutHelp({ onClose, tabs, canBook = true }: { onClose: () => void; tabs: string[]; canBook?: boolean }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="table table--dense">
        <tbody>
          {helpList(tabs, canBook).map(([key, what]) => (
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
