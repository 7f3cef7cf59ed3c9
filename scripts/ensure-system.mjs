#!/usr/bin/env node
// The system packages WebGPU needs here: for `npm run train` and `npm run bench` (`--for node`) the
// Vulkan loader and SwiftShader, the software Vulkan driver Debian's Chromium ships, that Dawn uses
// when no driver is configured; for `npm test` also Chromium itself for the browser tests. Installs
// them with apt-get when running as root on Debian/Ubuntu; otherwise says exactly what to run.
// Everything goes to stderr: the CLI's stdout stays its own. The decision is system-plan.mjs's.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { planSystem } from './system-plan.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const LOADER_PATHS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

function hasVulkanLoader() {
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (r.status === 0 && /libvulkan\.so\.1\b/.test(r.stdout)) return true;
  return LOADER_PATHS.some(existsSync);
}

function facts(purpose) {
  return {
    purpose,
    platform: process.platform,
    chromium: existsSync(CHROMIUM),
    chromiumPath: CHROMIUM,
    swiftshader: existsSync(SWIFTSHADER),
    vulkanLoader: process.platform === 'linux' && hasVulkanLoader(),
    vulkanDriverEnv: Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0,
  };
}

function main() {
  if (process.env.SKIP_SYSTEM_CHECK) return;
  const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';
  if (purpose !== 'node' && purpose !== 'test') throw new Error(`ensure-system: --for must be node or test, got ${purpose}`);
  const plan = planSystem(facts(purpose));
  if (plan.action === 'ok') return;
  console.error(plan.message);
  if (plan.action === 'instruct') process.exit(1);
  // apt-get's output goes to stderr too (fd 2), never to the CLI's stdout.
  const options = { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-qq'], options);
  execFileSync('apt-get', ['install', '-y', '-qq', ...plan.packages], options);
}

main();
