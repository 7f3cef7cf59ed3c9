// WebGPU in Node through Dawn (the `webgpu` package). With no Vulkan driver configured, point the
// Vulkan loader at Chromium's SwiftShader, the software adapter Debian's chromium package ships.
import { existsSync } from 'node:fs';
import { markBusyPolling } from '../gpu/context';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const NODE_GPU_HELP =
  'Dawn found no Vulkan adapter. Install a Vulkan driver, or on Debian/Ubuntu: ' +
  `sudo apt-get install -y chromium libvulkan1 (SwiftShader at ${SWIFTSHADER_ICD} is then used).`;

const cached = new Map<string, GPU>();

/**
 * Dawn's GPU object. `preciseTimestamps` turns off Dawn's timestamp quantization (to ~33 µs steps
 * on SwiftShader), for the benchmark's per-dispatch profile.
 */
export async function nodeGpu(options: { preciseTimestamps?: boolean } = {}): Promise<GPU> {
  const flags = options.preciseTimestamps ? ['disable-dawn-features=timestamp_quantization'] : [];
  const known = cached.get(flags.join());
  if (known) return known;
  const env = process.env;
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  env.XDG_RUNTIME_DIR ??= '/tmp';
  const moduleName = 'webgpu'; // a variable, so browser bundles never try to resolve Dawn
  const dawn = (await import(/* @vite-ignore */ moduleName)) as { create(flags: string[]): GPU; globals: object };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create(flags);
  cached.set(flags.join(), gpu);
  // While any map is pending, dawn.node keeps the event loop polling the device: a core at 100%.
  markBusyPolling(gpu);
  return gpu;
}
