// What ensure-system.mjs should do, decided from facts about the machine and nothing else, so the
// decision is unit-tested without apt-get (tests/ensure-system.test.ts).
//
// Two purposes:
// - 'node' (npm run train, npm run bench): Dawn needs the Vulkan loader (libvulkan1) and a Vulkan
//   driver. src/node/gpu.ts uses SwiftShader's ICD, which Debian's chromium package ships, unless
//   VK_ICD_FILENAMES or VK_DRIVER_FILES names a driver. Only on Linux: elsewhere Dawn uses Metal or D3D12.
// - 'test' (npm test): also the Chromium binary that drives the browser tests.

/** Debian/Ubuntu package names. */
export const PACKAGES = { chromium: 'chromium', vulkanLoader: 'libvulkan1' };

/**
 * @param {import('./system-plan.d.mts').SystemFacts} facts
 * @returns {import('./system-plan.d.mts').SystemPlan}
 */
export function planSystem(facts) {
  const missing = missingPackages(facts);
  if (missing.length === 0) return { action: 'ok' };
  if (facts.platform !== 'linux') {
    return { action: 'instruct', packages: missing, message: `The tests need Chromium: set CHROMIUM_PATH to a Chromium or Chrome binary (looked for ${facts.chromiumPath}).` };
  }
  const what = `${facts.purpose === 'test' ? 'The tests need' : 'Training on WebGPU in Node needs'} ${missing.join(' and ')} (${reasons(missing)}).`;
  if (facts.hasApt && facts.isRoot) return { action: 'install', packages: missing, message: `${what} Installing them with apt-get...` };
  const sudo = facts.isRoot ? '' : 'sudo ';
  const command = `${sudo}apt-get update && ${sudo}apt-get install -y ${missing.join(' ')}`;
  const how = facts.hasApt ? `Install them, then run the command again:\n  ${command}` : `Install them with your package manager (the Debian/Ubuntu packages: ${missing.join(' ')}).`;
  return { action: 'instruct', packages: missing, message: `${what} ${how}\n(Set SKIP_SYSTEM_CHECK=1 to skip this check.)` };
}

/** @param {import('./system-plan.d.mts').SystemFacts} facts */
function missingPackages(facts) {
  const missing = [];
  if (facts.platform !== 'linux') {
    if (facts.purpose === 'test' && !facts.chromium) missing.push(PACKAGES.chromium);
    return missing;
  }
  const driverConfigured = facts.vulkanDriverEnv;
  const needChromium = (facts.purpose === 'test' && !facts.chromium) || (!facts.swiftshader && (facts.purpose === 'test' || !driverConfigured));
  if (needChromium) missing.push(PACKAGES.chromium);
  if (!facts.vulkanLoader) missing.push(PACKAGES.vulkanLoader);
  return missing;
}

/** @param {string[]} packages */
function reasons(packages) {
  return packages.map((p) => (p === PACKAGES.chromium ? 'Chromium ships SwiftShader, the software Vulkan driver' : 'the Vulkan loader')).join('; ');
}
