// Every WGSL file under shaders/, as text, keyed by its path below shaders/ without ".wgsl"
// ("ops/linear", "kernels/adam_step"). The host joins a kernel's library files in front of it, so
// an op's formula is written once and shared by every kernel that uses it.
const files = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true });

const byName = new Map<string, string>(
  Object.entries(files).map(([path, text]) => [path.replace(/^.*\/shaders\//, '').replace(/\.wgsl$/, ''), text as string]),
);

export function shaderFile(name: string): string {
  const text = byName.get(name);
  if (text === undefined) throw new Error(`no shader file shaders/${name}.wgsl`);
  return text;
}

/** The module source of a kernel: its library files in the order given, then the kernel itself. */
export function kernelSource(kernel: string, uses: readonly string[]): string {
  return [...uses, `kernels/${kernel}`].map((name) => `// ---- shaders/${name}.wgsl\n${shaderFile(name)}`).join('\n');
}
