// Only in `vite build --mode browser-preview` (main.tsx imports this nowhere else): the IPC mock
// goes in before the first screen asks anything.
import { installPreview, type Recorded } from "./ipc";
import recorded from "./recorded.json";

export function startPreview(render: () => void) {
  installPreview(recorded as Recorded);
  render();
}
