import type { FerryApi } from '../../shared/ipc/api';

declare global {
  interface Window {
    /** Built by the preload (or a test bridge) with `buildFerryApi`; the window's only way to main. */
    readonly ferry: FerryApi;
  }
}

export {};
