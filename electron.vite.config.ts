import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

// One build for every process: the Electron main process, the headless host / CLI and the worker entry share
// out/main (CommonJS, dependencies external); the sandboxed preload is a single CommonJS file; the renderer is
// the Svelte app, served from out/renderer by both Electron and the headless host.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/index.ts'),
          greeksWorker: resolve(__dirname, 'src-main/workers/greeksWorker.ts'),
          jobsWorker: resolve(__dirname, 'src-main/workers/jobsWorker.ts'),
          trainWorker: resolve(__dirname, 'src-main/learn/trainWorker.ts'),
        },
        // Flat, .cjs (the package is ESM): every entry and shared chunk sits in out/main, so __dirname agrees.
        output: { format: 'cjs', exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { preload: resolve(__dirname, 'src-main/electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(__dirname, 'svelte.config.js') })],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
