// The page's engines live in src/train (train/engine.ts: the Engine interface and GpuEngine;
// train/cpu-engine.ts: CpuEngine): this file only re-exports them for the page's imports.
export * from '../train/engine';
