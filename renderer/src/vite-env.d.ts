/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Optional override of the version shown in the browser host (defaults to package.json). */
  readonly VITE_LOUPE_VERSION?: string;
}
