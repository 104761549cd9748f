import { readFileSync } from "node:fs";

/**
 * Applies the app's own style sheet to the test document and returns how to take it away again.
 * jsdom lays nothing out, but it does compute styles: a test can read back the rules a screen
 * relies on (Vite's CSS handling is off in tests, so the file is read as it is).
 */
export function applyAppStyles(): () => void {
  const sheet = document.createElement("style");
  sheet.textContent = readFileSync(`${import.meta.dirname}/../styles.css`, "utf8");
  document.head.append(sheet);
  return () => sheet.remove();
}
