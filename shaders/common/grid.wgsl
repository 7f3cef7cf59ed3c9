// grid: flat indices over 2-D dispatches. A dispatch holds at most 65535 workgroups per dimension,
// so the host spreads large counts over x and y (see src/gpu/grid.ts) and kernels flatten them here.
// Needs `override WG: u32` (the workgroup size) in the kernel that includes it.

fn flat_workgroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn flat_invocation(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return flat_workgroup(wid, nwg) * WG + lid;
}

// The size uniform of element-wise kernels.
struct Count {
  count: u32,
}
