// dropout: the keep/drop decision of inverted dropout, from a counter-based hash: no state, no
// random buffer, and the same (seed, epoch, layer, element) always gives the same decision, on any
// device, in any dispatch order. src/cpu/gemm.ts computes the same bits with Math.imul.
//
//   stream = mix(layer + mix(epoch + mix(seed)))        one per layer and epoch
//   bits   = mix(mix(element ^ stream) + stream)        element = n·OUT + o
//   kept   = bits >= threshold,  threshold = round(p·2³²) (so P(kept) = 1 - p to within 2⁻³²)
//
// mix is Chris Wellons' "lowbias32" from hash-prospector, a bijection of u32 with near-ideal
// avalanche. The second round keeps two streams from being shifted copies of each other (with
// element + stream alone, stream s at element e and stream s + d at e - d would agree).
// Kept units are scaled by keep_scale = 1/(1-p), computed on the host in double and rounded once.

fn dropout_mix(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn dropout_stream(seed: u32, epoch: u32, layer: u32) -> u32 {
  return dropout_mix(layer + dropout_mix(epoch + dropout_mix(seed)));
}

fn dropout_keep(stream: u32, element: u32, threshold: u32) -> bool {
  return dropout_mix(dropout_mix(element ^ stream) + stream) >= threshold;
}
