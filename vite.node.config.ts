// Builds the command line for Node: Vite resolves the ?raw shader imports, Node runs the result.
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  // Bundled rather than imported, so it is evaluated after gpu/float16-shim.ts (Node 20 has no
  // Float16Array, which webgpu-utils names when it loads); an external import would be hoisted.
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
