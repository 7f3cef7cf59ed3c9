// Struct layouts read from the WGSL that declares them (webgpu-utils parses the source), so the
// host never packs a uniform or storage struct by position: renaming, reordering or adding a field
// in WGSL changes the bytes the host writes with it.
import './float16-shim';
import { makeShaderDataDefinitions, makeStructuredView, type ShaderDataDefinitions, type StructuredView } from 'webgpu-utils';
import type { KernelSpec } from './kernel';
import { kernelSource, shaderFile } from './shaders';

const definitions = new Map<string, ShaderDataDefinitions>();

/**
 * A shader file's definitions (or, keyed `module NAME`, a kernel's whole module), parsed once, and only
 * once a device is loaded: the parser names GPUShaderStage.
 */
function definitionsOf(file: string, source = () => shaderFile(file)): ShaderDataDefinitions {
  let defs = definitions.get(file);
  if (!defs) definitions.set(file, (defs = makeShaderDataDefinitions(source())));
  return defs;
}

/** A view of struct `name` declared in shaders/`file`.wgsl, over new bytes (or `buffer` at `offset`). */
export function structView(file: string, name: string, buffer?: ArrayBuffer, offset = 0): StructuredView {
  const def = definitionsOf(file).structs[name];
  if (!def) throw new Error(`shaders/${file}.wgsl declares no struct ${name}`);
  return makeStructuredView(def, buffer ?? new ArrayBuffer(def.size), offset);
}

/** The size in bytes of struct `name` of shaders/`file`.wgsl (its stride in an array). */
export function structSize(file: string, name: string): number {
  const def = definitionsOf(file).structs[name];
  if (!def) throw new Error(`shaders/${file}.wgsl declares no struct ${name}`);
  return def.size;
}

/** A value of a struct field: a number, an array, or a nested struct by its WGSL field names. */
export type StructValue = number | readonly StructValue[] | { readonly [field: string]: StructValue };

/** The bytes of one struct holding `values` (WGSL field names; unnamed fields stay 0), padded to 16 bytes for a uniform. */
export function structBytes(file: string, name: string, values: Record<string, StructValue>): Uint32Array<ArrayBuffer> {
  const size = structSize(file, name);
  const view = structView(file, name, new ArrayBuffer(Math.ceil(size / 16) * 16));
  for (const field of Object.keys(values)) if (!(field in view.views)) throw new Error(`struct ${name} (shaders/${file}.wgsl) has no field ${field}`);
  view.set(values);
  return new Uint32Array(view.arrayBuffer as ArrayBuffer);
}

/**
 * The bytes of a kernel's `dims` uniform holding `values` (its WGSL field names), read from the
 * kernel's whole module (its library files joined in front), padded to 16 bytes. Throws on a field
 * the struct does not have.
 */
export function dimsUniform(spec: KernelSpec, values: Record<string, number>): Uint32Array<ArrayBuffer> {
  const def = definitionsOf(`module ${spec.file}`, () => kernelSource(spec.file, spec.uses)).uniforms.dims;
  if (!def) throw new Error(`${spec.file}.wgsl has no dims uniform`);
  const view = makeStructuredView(def, new ArrayBuffer(Math.ceil(def.size / 16) * 16));
  for (const name of Object.keys(values)) if (!(name in view.views)) throw new Error(`${spec.file}.wgsl dims has no field ${name}`);
  view.set(values);
  return new Uint32Array(view.arrayBuffer as ArrayBuffer);
}
