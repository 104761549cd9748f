// Where the app moves focus on its own, the person must see where it went.

declare global {
  // Not in TypeScript's DOM types yet; WebKit (the Linux webview) and Firefox honour it.
  interface FocusOptions {
    focusVisible?: boolean;
  }
}

/**
 * Moves focus to `el` and asks the browser to draw it. Browsers show :focus-visible after a
 * script moves focus only when the last focus came from the keyboard, so after a click (Find
 * patient, the ? button) the next step would be focused with no ring. Text fields, headings and
 * the slot list draw their focus on :focus and need no asking.
 */
export function moveFocus(el: Element | null | undefined): void {
  if (el instanceof HTMLElement) el.focus({ focusVisible: true });
}
