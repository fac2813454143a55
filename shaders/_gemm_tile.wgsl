// Tiled GEMM core: C[M,N] = A[M,K] · B[K,N] for one batch index, a 64×64 tile of C per workgroup of 16×16
// invocations, 4×4 outputs each, K in steps of 16 through workgroup memory (8 KiB). The including kernel
// supplies loadA(batch, m, k), loadB(batch, k, n) and storeC(batch, m, n, v), so the same core serves the
// matmul, the implicit-GEMM convolutions (the loaders compute input coordinates and padding: no im2col
// buffer) and the sign Gram matrices. Grid: x = ⌈N/64⌉, y = ⌈M/64⌉, z = batch.
const TM = 64u;
const TN = 64u;
const TK = 16u;
var<workgroup> tileA: array<f32, 1024>; // [TK][TM]
var<workgroup> tileB: array<f32, 1024>; // [TK][TN]

fn gemmTile(batch: u32, M: u32, N: u32, K: u32, tile: vec2u, lid: vec2u) {
  let m0 = tile.y * TM;
  let n0 = tile.x * TN;
  let t = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var r = 0u; r < 4u; r++) {
      let e = t + r * 256u;
      let mm = e % TM;
      let ka = k0 + e / TM;
      var a = 0.0;
      if (m0 + mm < M && ka < K) { a = loadA(batch, m0 + mm, ka); }
      tileA[(e / TM) * TM + mm] = a;
      let nn = e % TN;
      let kb = k0 + e / TN;
      var b = 0.0;
      if (n0 + nn < N && kb < K) { b = loadB(batch, kb, n0 + nn); }
      tileB[(e / TN) * TN + nn] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = vec4f(tileA[kk * TM + lid.y * 4u], tileA[kk * TM + lid.y * 4u + 1u],
                    tileA[kk * TM + lid.y * 4u + 2u], tileA[kk * TM + lid.y * 4u + 3u]);
      let b = vec4f(tileB[kk * TN + lid.x * 4u], tileB[kk * TN + lid.x * 4u + 1u],
                    tileB[kk * TN + lid.x * 4u + 2u], tileB[kk * TN + lid.x * 4u + 3u]);
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] += a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let m = m0 + lid.y * 4u + i;
      let n = n0 + lid.x * 4u + j;
      if (m < M && n < N) { storeC(batch, m, n, acc[i * 4u + j]); }
    }
  }
}
