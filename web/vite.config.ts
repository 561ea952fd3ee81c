import { defineConfig } from 'vite';

// Served under /console/ from the API's origin (local/console.ts locally, CloudFront deployed).
export default defineConfig({
  base: '/console/',
  // Preact's automatic JSX runtime; no framework plugin needed for a production build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts; Vite's module preload polyfill would be one.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
  },
});
