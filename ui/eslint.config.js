// Lint gate for the UI: `npm run lint` fails on any error or warning.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Build output, and the command bindings generated from the Rust side (regenerated, never edited).
    ignores: ["dist/", "dist-preview/", "node_modules/", "src/api/bindings.ts"],
  },
  {
    files: ["**/*.{js,ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
  },
  {
    // The app itself runs in the webview.
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended, jsxA11y.flatConfigs.recommended],
    languageOptions: {
      globals: globals.browser,
    },
    rules: {
      // Radio and checkbox labels carry their text and hint in nested spans (label > span > span),
      // one level deeper than the rule looks by default; still an error, only the search goes deeper.
      "jsx-a11y/label-has-associated-control": ["error", { depth: 3 }],
    },
  },
  {
    // Config files run under Node.
    files: ["*.{js,ts}"],
    languageOptions: {
      globals: globals.node,
    },
  },
);
