// Builds the command line for Node: Vite resolves the ?raw shader imports, Node runs the result.
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  // Bundled, not imported: Rollup then runs gpu/float16-shim.ts before webgpu-utils' module body,
  // which names Float16Array (absent in Node 20). An external import would be hoisted above the shim.
  ssr: { noExternal: ['webgpu-utils'] },
  build: {
    ssr: true,
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { input: { train: 'src/cli/train.ts', bench: 'bench/bench-node.ts' } },
  },
});
