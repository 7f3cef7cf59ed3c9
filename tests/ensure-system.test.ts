// scripts/ensure-system.mjs's decision (scripts/system-plan.mjs), from facts about a machine: what a
// fresh Debian machine gets before `npm run train` and before `npm test`, and what everything else
// is told. Nothing here runs apt-get.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planSystem, type SystemFacts } from '../scripts/system-plan.mjs';

const ready: SystemFacts = {
  purpose: 'node',
  platform: 'linux',
  chromium: true,
  chromiumPath: '/usr/bin/chromium',
  swiftshader: true,
  vulkanLoader: true,
  vulkanDriverEnv: false,
  isRoot: false,
  hasApt: true,
};
const fresh: SystemFacts = { ...ready, chromium: false, swiftshader: false, vulkanLoader: false };

describe('planSystem', () => {
  test('a ready machine: nothing to do, for train and for test', () => {
    expect(planSystem(ready)).toEqual({ action: 'ok' });
    expect(planSystem({ ...ready, purpose: 'test' })).toEqual({ action: 'ok' });
  });

  test('a fresh Debian machine as root (CI, containers): train installs chromium (SwiftShader) and libvulkan1', () => {
    const plan = planSystem({ ...fresh, isRoot: true });
    expect(plan).toMatchObject({ action: 'install', packages: ['chromium', 'libvulkan1'] });
    expect(planSystem({ ...fresh, isRoot: true, purpose: 'test' })).toMatchObject({ action: 'install', packages: ['chromium', 'libvulkan1'] });
  });

  test('not root: the exact command with sudo, and a failure', () => {
    const plan = planSystem(fresh);
    expect(plan.action).toBe('instruct');
    expect(plan.action !== 'ok' && plan.message).toContain('sudo apt-get update && sudo apt-get install -y chromium libvulkan1');
  });

  test('each package only when its piece is missing', () => {
    expect(planSystem({ ...ready, vulkanLoader: false, isRoot: true })).toMatchObject({ packages: ['libvulkan1'] });
    expect(planSystem({ ...ready, swiftshader: false, isRoot: true })).toMatchObject({ packages: ['chromium'] });
  });

  test('train needs no Chromium binary, and no SwiftShader when VK_ICD_FILENAMES names a driver; test needs both', () => {
    expect(planSystem({ ...ready, chromium: false })).toEqual({ action: 'ok' });
    expect(planSystem({ ...ready, swiftshader: false, vulkanDriverEnv: true })).toEqual({ action: 'ok' });
    expect(planSystem({ ...ready, chromium: false, purpose: 'test', isRoot: true })).toMatchObject({ packages: ['chromium'] });
    expect(planSystem({ ...ready, swiftshader: false, vulkanDriverEnv: true, purpose: 'test', isRoot: true })).toMatchObject({ packages: ['chromium'] });
  });

  test('no apt-get: which packages, for another package manager', () => {
    const plan = planSystem({ ...fresh, isRoot: true, hasApt: false });
    expect(plan).toMatchObject({ action: 'instruct', packages: ['chromium', 'libvulkan1'] });
    expect(plan.action !== 'ok' && plan.message).toContain('your package manager');
  });

  test('macOS and Windows: Dawn uses Metal or D3D12, train needs nothing; test needs a Chromium binary', () => {
    expect(planSystem({ ...fresh, platform: 'darwin' })).toEqual({ action: 'ok' });
    expect(planSystem({ ...fresh, platform: 'win32', purpose: 'test' })).toMatchObject({ action: 'instruct', message: expect.stringContaining('CHROMIUM_PATH') });
    expect(planSystem({ ...fresh, platform: 'darwin', chromium: true, purpose: 'test' })).toEqual({ action: 'ok' });
  });
});

describe('the npm scripts', () => {
  test('train and bench run the check for Node first, test the check for the tests', async () => {
    const { scripts } = (await import('../package.json')).default as { scripts: Record<string, string> };
    expect(scripts.train).toMatch(/^node scripts\/ensure-system\.mjs --for node && /);
    expect(scripts.bench).toMatch(/^node scripts\/ensure-system\.mjs --for node && /);
    expect(scripts.test).toMatch(/^node scripts\/ensure-system\.mjs --for test && /);
  });

  test('SKIP_SYSTEM_CHECK=1 skips it; a ready or skipped check prints nothing on stdout', () => {
    const script = join(__dirname, '..', 'scripts', 'ensure-system.mjs');
    const r = spawnSync(process.execPath, [script, '--for', 'node'], { encoding: 'utf8', env: { ...process.env, SKIP_SYSTEM_CHECK: '1', PATH: '' } });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
});
