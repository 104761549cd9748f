// Two frames after the page is parsed: the first callback runs before its frame is painted, the
// second after it, the same mark the desk's UI sets.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("first_screen_shown")));
