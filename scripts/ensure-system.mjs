#!/usr/bin/env node
// The system packages the tests need: Chromium (the browser tests, and SwiftShader, the software
// Vulkan driver Dawn uses when there is no GPU) and the Vulkan loader. Installs them with apt-get
// when running as root on Debian/Ubuntu; otherwise says exactly what to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

function hasVulkanLoader() {
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (r.status === 0) return /libvulkan\.so\.1\b/.test(r.stdout);
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
}

const missing = [];
if (!existsSync(CHROMIUM) || !existsSync(SWIFTSHADER)) missing.push('chromium');
if (!hasVulkanLoader()) missing.push('libvulkan1');

if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (!isRoot || !hasApt) {
    console.error(`The tests need ${missing.join(' and ')}. Install them, then run npm test again:\n  sudo apt-get update && sudo ${command}`);
    process.exit(1);
  }
  console.error(`Installing ${missing.join(' ')} (needed for WebGPU on SwiftShader and the browser tests)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}
