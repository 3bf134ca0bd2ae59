// numpy's legacy np.random.RandomState(seed).randn(n) in JavaScript, so that a seed names the same z in the
// page as in generate.py (z for seed s is RandomState(s).randn(1, z_dim), as in NVIDIA's tools).
//
// - Seeding: numpy seeds MT19937 from an integer in [0, 2^32) by the generator's reference initialisation
//   (Matsumoto & Nishimura 1998, "init_genrand": key[0] = s, key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >>> 30)) + i,
//   mod 2^32); init_by_array is only for array seeds, which no tool here takes.
// - Doubles: 53 bits from two 32-bit outputs, (a >>> 5) * 2^26 + (b >>> 6), divided by 2^53.
// - Normals: the polar Box-Muller method (Marsaglia 1964) as numpy's legacy gauss draws it: a point (x1, x2)
//   uniform in the unit disc (rejecting r2 >= 1 and r2 == 0), f = sqrt(-2 ln(r2) / r2), f * x2 returned and
//   f * x1 kept for the next call.
// Checked against numpy for many seeds by tests/export/test_web.py.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class RandomState {
  constructor(seed) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    this.key = new Uint32Array(N);
    this.key[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const previous = this.key[i - 1];
      this.key[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) >>> 0;
    }
    this.position = N;
    this.cachedGauss = null;
  }

  // The next 32-bit output: a new block of N words when the last one is used up, then tempering.
  nextUint32() {
    if (this.position >= N) {
      this.regenerate();
    }
    let y = this.key[this.position++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  regenerate() {
    const key = this.key;
    for (let i = 0; i < N; i++) {
      const y = (key[i] & UPPER_MASK) | (key[(i + 1) % N] & LOWER_MASK);
      key[i] = key[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.position = 0;
  }

  // A double uniform in [0, 1) with 53 random bits.
  randomDouble() {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  gauss() {
    if (this.cachedGauss !== null) {
      const value = this.cachedGauss;
      this.cachedGauss = null;
      return value;
    }
    let x1, x2, r2;
    do {
      x1 = 2.0 * this.randomDouble() - 1.0;
      x2 = 2.0 * this.randomDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt(-2.0 * Math.log(r2) / r2);
    this.cachedGauss = f * x1;
    return f * x2;
  }

  // n standard normal doubles, as numpy's RandomState.randn(n).
  randn(n) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = this.gauss();
    }
    return values;
  }
}
