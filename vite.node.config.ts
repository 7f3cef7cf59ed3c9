// Builds the command line for Node: Vite resolves the ?raw shader imports, Node runs the result.
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { input: { train: 'src/cli/train.ts', bench: 'bench/bench-node.ts' } },
  },
});
