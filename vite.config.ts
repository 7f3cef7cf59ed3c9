import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * Ships the lecture's 2000 points (../shared/data/dnnex.csv, public course data) with the page
 * without a copy in the repo: the dev server answers `data/dnnex.csv` from ../shared, and the build
 * emits it into dist/data/. Without ../shared the build emits nothing, and the page says so and
 * falls back to its own draws of the lecture's formula (src/data/lecture.ts).
 */
function lectureData(source = fileURLToPath(new URL('../shared/data/dnnex.csv', import.meta.url))): Plugin {
  const path = 'data/dnnex.csv'; // src/data/lecture.ts LECTURE_DATA_PATH
  return {
    name: 'lecture-data',
    configureServer(server) {
      server.middlewares.use(`/${path}`, (_req, res, next) => {
        if (!existsSync(source)) return next();
        res.setHeader('Content-Type', 'text/csv');
        res.end(readFileSync(source));
      });
    },
    generateBundle() {
      if (existsSync(source)) this.emitFile({ type: 'asset', fileName: path, source: readFileSync(source) });
      else this.warn(`${source} is absent: the page will fall back to its own draws of the lecture's formula`);
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built dist/ works under any base path.
  base: './',
  plugins: [lectureData()],
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', outDir: 'dist' },
});
