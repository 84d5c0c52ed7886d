// Vite builds the playground into playground/dist: one static page, its script and assets
// (the bundled digits data, Graphviz's wasm), nothing fetched from elsewhere at run time.
// `vite preview` (npm run playground) serves it with the COOP/COEP headers that make the page
// cross-origin isolated, which SharedArrayBuffer and so threaded training need.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The headers of a cross-origin isolated page. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: dist/ works from any folder of any static file server.
  base: './',
  // The gzip data file is an asset (imported with ?inline as a data URL), not a module.
  assetsInclude: ['**/*.gz'],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
