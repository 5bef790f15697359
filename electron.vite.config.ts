import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // ESM main (package.json has "type": "module"); dependencies stay in node_modules.
  main: {
    build: { outDir: 'out/main', lib: { entry: resolve('src/main/index.ts'), formats: ['es'] } },
  },
  // A sandboxed preload can only require('electron'): it is CommonJS with everything else bundled in.
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    // Minified: the window loads the bundle from disk on every start (1.0 MB unminified, ~430 KB minified).
    build: { outDir: resolve('out/renderer'), minify: true },
    plugins: [react()],
  },
});
