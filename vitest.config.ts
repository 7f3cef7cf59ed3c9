import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM, WEBGPU_FLAGS } from './src/node/chromium.ts';

// Dawn reads the Vulkan loader's variables in the process that loads it: set them here, before the
// forked test workers start, so they inherit them.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
process.env.XDG_RUNTIME_DIR ??= '/tmp';

export default defineConfig({
  server: { fs: { allow: ['..'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.browser.test.ts'],
          pool: 'forks',
          environment: 'node',
          execArgv: ['--expose-gc'], // the resource test measures the heap after a full collection
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/**/*.gpu.test.ts', 'tests/**/*.browser.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM, args: [...WEBGPU_FLAGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
