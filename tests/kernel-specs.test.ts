// Every kernel fits the limits that WebGPU guarantees on every device (the spec's defaults), so
// no strategy depends on an adapter that offers more.
import { expect, test } from 'vitest';
import { KERNELS } from '../src/gpu/kernels';

const DEFAULTS = { maxStorageBuffersPerShaderStage: 8, maxUniformBuffersPerShaderStage: 12, maxDynamicUniformBuffersPerPipelineLayout: 8 };

test.each(Object.entries(KERNELS))('%s binds no more buffers than every device offers', (_, spec) => {
  const count = (kinds: string[]) => spec.bindings.filter((k) => kinds.includes(k)).length;
  expect(count(['storage', 'read-only-storage'])).toBeLessThanOrEqual(DEFAULTS.maxStorageBuffersPerShaderStage);
  expect(count(['uniform', 'dynamic-uniform'])).toBeLessThanOrEqual(DEFAULTS.maxUniformBuffersPerShaderStage);
  expect(count(['dynamic-uniform'])).toBeLessThanOrEqual(DEFAULTS.maxDynamicUniformBuffersPerPipelineLayout);
});
