import { describe, expect, it } from "vitest";
import { createRng } from "@ferry/random";
import { poisson, zeroTruncatedPoisson } from "./poisson";

describe("poisson", () => {
  it.each([{ mean: 0.3 }, { mean: 4 }, { mean: 29 }, { mean: 31 }, { mean: 500 }, { mean: 1e6 }])(
    "poisson(mean $mean) has that mean and variance",
    ({ mean }) => {
      const rng = createRng(3);
      const n = 20_000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const k = poisson(rng, mean);
        sum += k;
        sq += k * k;
      }
      const m = sum / n;
      const v = sq / n - m * m;
      // Mean within 5 standard errors; variance within 10%.
      expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
      expect(v / mean).toBeGreaterThan(0.9);
      expect(v / mean).toBeLessThan(1.1);
    },
  );

  it.each([{ mean: 0.01 }, { mean: 1 }, { mean: 50 }])("zero-truncated poisson(mean $mean) is >= 1 with mean m / (1 - e^-m)", ({ mean }) => {
    const rng = createRng(5);
    const n = 20_000;
    let sum = 0;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const k = zeroTruncatedPoisson(rng, mean);
      min = Math.min(min, k);
      sum += k;
    }
    expect(min).toBeGreaterThanOrEqual(1);
    const want = mean / (1 - Math.exp(-mean));
    expect(sum / n).toBeCloseTo(want, 0);
  });
});
