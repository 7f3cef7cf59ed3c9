// epoch: which epoch of the current chunk a dispatch belongs to.
// The host fills one constant buffer with 0, 1, 2, ... at a 256-byte stride once, and binds it with
// a dynamic offset per epoch, so encoding an epoch never writes a buffer.

struct EpochIndex {
  k: u32,
}
