// Builds src/main.js (the page script that mounts <OdkWebForm>) into
// ../static/webforms/ with content-hashed file names, so the server can let browsers keep
// them for a year. `npm run build` then writes MANIFEST.json (manifest.mjs).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  publicDir: false,
  base: './',
  build: {
    outDir: '../static/webforms',
    emptyOutDir: true,
    target: 'esnext', // the engine uses top-level await
    chunkSizeWarningLimit: 10000,
    sourcemap: false,
    manifest: 'vite-manifest.json',
    rollupOptions: {
      input: { webform: 'src/main.js' },
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
