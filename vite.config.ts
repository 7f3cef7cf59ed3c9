import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built dist/ works under any base path.
  base: './',
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist' },
});
