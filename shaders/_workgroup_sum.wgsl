// Tree sum of up to 8 lanes per invocation across a 256-invocation workgroup; every invocation gets the totals.
var<workgroup> partial: array<array<f32, 8>, 256>;

fn workgroupSum(v: array<f32, 8>, lanes: u32, t: u32) -> array<f32, 8> {
  partial[t] = v;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (t < half) {
      for (var l = 0u; l < lanes; l++) { partial[t][l] += partial[t + half][l]; }
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
