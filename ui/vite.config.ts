/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";


export default defineConfig(() => ({
  // Tauri serves the files from its own protocol: relative paths keep every asset local.
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // The whole-app tests type field by field through jsdom: seconds each on a busy two-core
    // machine (CI compiles beside them). What they check is the screen, not the speed.
    testTimeout: 20_000,
  },
}));
