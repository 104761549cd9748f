import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";

function render() {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The browser preview answers from recorded engine answers; every other build talks to the real
// commands and, the mode being known at build time, never contains the preview.
if (import.meta.env.MODE === "browser-preview") {
  void import("./preview/start").then(({ startPreview }) => startPreview(render));
} else {
  render();
}
