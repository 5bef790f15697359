// The phone page (src/web): its own vite build, served by the receiver at `/` from out/web.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  // Relative URLs: the page works on whatever address and port the receiver shares on.
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./out/web', import.meta.url)),
    emptyOutDir: true,
    target: ['es2020', 'safari14', 'chrome87', 'firefox78'],
    // One small chunk: no preload helper, no inline script (the page's CSP forbids one).
    modulePreload: false,
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    sourcemap: false,
  },
});
