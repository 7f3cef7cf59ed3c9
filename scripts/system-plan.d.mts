// Types of system-plan.mjs, for the tests that import it.

/** What the machine has, as ensure-system.mjs finds it. */
export interface SystemFacts {
  /** What the packages are for: 'node' (train, bench) or 'test' (npm test). */
  purpose: 'node' | 'test';
  /** process.platform. */
  platform: string;
  /** The Chromium binary exists (CHROMIUM_PATH, default /usr/bin/chromium). */
  chromium: boolean;
  chromiumPath: string;
  /** /usr/lib/chromium/vk_swiftshader_icd.json exists. */
  swiftshader: boolean;
  /** libvulkan.so.1 is installed. */
  vulkanLoader: boolean;
  /** VK_ICD_FILENAMES or VK_DRIVER_FILES names a Vulkan driver. */
  vulkanDriverEnv: boolean;
  isRoot: boolean;
  hasApt: boolean;
}

export type SystemPlan =
  | { action: 'ok' }
  /** Run apt-get update and apt-get install -y for these packages, after printing the message. */
  | { action: 'install'; packages: string[]; message: string }
  /** Print the message (it says what to run) and exit 1. */
  | { action: 'instruct'; packages: string[]; message: string };

export const PACKAGES: { chromium: string; vulkanLoader: string };
export function planSystem(facts: SystemFacts): SystemPlan;
