// The tests run in Node, the app in a webview with no Node types: only what the tests use.
declare module "node:fs" {
  export function readFileSync(path: string, encoding: "utf8"): string;
}

interface ImportMeta {
  /** The folder of the module, as Node (and Vitest) give it. */
  readonly dirname: string;
}
