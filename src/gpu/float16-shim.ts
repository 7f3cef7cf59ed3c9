// webgpu-utils 2.x names Float16Array in its type table when its module loads; Node 20 has none
// (Node 24 and current browsers do). Our uniform structs hold no f16 fields, so the table entry is
// never used to view data: a stand-in with the same element size is enough for the module to load.
// Imported for its side effect, before webgpu-utils.
const scope = globalThis as { Float16Array?: unknown };
scope.Float16Array ??= class Float16ArrayStandIn extends Uint16Array {};
export {};
