// Builds only the window (src/renderer) for previews, independent of main's and the preload's build.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export default defineConfig({
  root: resolve(root, 'src/renderer'),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'out/renderer-preview'),
    emptyOutDir: true,
    target: 'chrome140',
  },
});
