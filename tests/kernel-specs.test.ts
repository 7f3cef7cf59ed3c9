// Every kernel fits the limits that WebGPU guarantees on every device (the spec's defaults), so
// no strategy depends on an adapter that offers more; and each kernel's header names the same
// library files as its KernelSpec joins in front of it, library files' own needs included.
import { expect, test } from 'vitest';
import { GEMM_KERNELS } from '../src/gpu/gemm';
import type { KernelSpec } from '../src/gpu/kernel';
import { KERNELS } from '../src/gpu/kernels';
import { shaderFile } from '../src/gpu/shaders';

const DEFAULTS = { maxStorageBuffersPerShaderStage: 8, maxUniformBuffersPerShaderStage: 12, maxDynamicUniformBuffersPerPipelineLayout: 8 };
const SPECS: [string, KernelSpec][] = [...Object.entries(KERNELS), ...Object.entries(GEMM_KERNELS)];

test.each(SPECS)('%s binds no more buffers than every device offers', (_, spec) => {
  const count = (kinds: string[]) => spec.bindings.filter((k) => kinds.includes(k)).length;
  expect(count(['storage', 'read-only-storage'])).toBeLessThanOrEqual(DEFAULTS.maxStorageBuffersPerShaderStage);
  expect(count(['uniform', 'dynamic-uniform'])).toBeLessThanOrEqual(DEFAULTS.maxUniformBuffersPerShaderStage);
  expect(count(['dynamic-uniform'])).toBeLessThanOrEqual(DEFAULTS.maxDynamicUniformBuffersPerPipelineLayout);
});

/** The files a header's "Uses a.wgsl, b/{c,d}.wgsl and e.wgsl." sentence names, without ".wgsl". */
function headerUses(file: string): string[] {
  const header = shaderFile(file).split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(2).trim()).join(' ');
  const sentence = /Uses (.+?\.wgsl)\.(?:\s|$)/.exec(header);
  if (!sentence) return [];
  return sentence[1]
    .split(/,\s*(?![^{]*\})|\s+and\s+/)
    .flatMap((item) => {
      const m = /^(.*)\{(.*)\}(.*)$/.exec(item.trim());
      return m ? m[2].split(',').map((part) => `${m[1]}${part}${m[3]}`) : [item.trim()];
    })
    .map((name) => name.replace(/\.wgsl$/, ''));
}

test.each(SPECS)('%s: the header names the library files the spec joins, and they have what they need', (_, spec) => {
  expect(new Set(headerUses(`kernels/${spec.file}`))).toEqual(new Set(spec.uses));
  for (const library of spec.uses) {
    for (const need of headerUses(library)) expect(spec.uses, `${spec.file} joins ${library}, which uses ${need}`).toContain(need);
  }
});
