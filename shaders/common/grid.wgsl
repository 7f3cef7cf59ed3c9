// grid: flat indices over 2-D dispatches. A dispatch holds at most 65535 workgroups per dimension,
// so the host spreads large counts over x and y (see src/gpu/grid.ts) and kernels flatten them here.
// Needs `override WG: u32` (the workgroup size) in the kernel that includes it.

fn flat_workgroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn flat_invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return flat_workgroup(wid, nwg) * WG + lid;
}

// Invocations in the whole dispatch: the stride of an element-wise kernel's grid-stride loop
//   for (var i = flat_invocation(wid, nwg, lid); i < count; i += dispatch_invocations(nwg))
// so the host may launch fewer workgroups than elements (src/gpu/grid.ts elementWorkgroups).
fn dispatch_invocations(nwg: vec3u) -> u32 {
  return nwg.x * nwg.y * WG;
}

// The size uniform of element-wise kernels.
struct Count {
  count: u32,
}
