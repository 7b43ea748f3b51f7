import { HISTORY_LENGTH, type ClusterModel } from "../model/cluster-model";
import type { Rng } from "@ferry/random";
import { movableVms, type VmSelector } from "./selector";

/**
 * For each series, the R^2 of regressing it on all the others (with intercept), from the inverse of
 * their covariance matrix: R^2_i = 1 - 1 / (S_ii (S^-1)_ii). `series[i]` holds m samples. A tiny ridge
 * keeps constant or collinear series from making S singular; such a series gets R^2 near 0.
 */
export function multipleCorrelations(series: readonly Float64Array[], m: number): Float64Array {
  const n = series.length;
  const means = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < m; t++) s += series[i]![t]!;
    means[i] = s / m;
  }
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < m; t++) s += (series[i]![t]! - means[i]!) * (series[j]![t]! - means[j]!);
      cov[i * n + j] = cov[j * n + i] = s;
    }
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += cov[i * n + i]!;
  const ridge = 1e-10 * (trace / n) + 1e-300;
  const variances = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    variances[i] = cov[i * n + i]!;
    cov[i * n + i] = cov[i * n + i]! + ridge;
  }
  const inverse = invertSymmetric(cov, n);
  const r2 = new Float64Array(n);
  for (let i = 0; i < n; i++) r2[i] = 1 - 1 / ((variances[i]! + ridge) * inverse[i * n + i]!);
  return r2;
}

/** Gauss-Jordan with partial pivoting on an n x n row-major matrix (destroys the input). */
function invertSymmetric(a: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) {
        [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k]!, a[col * n + k]!];
        [inv[col * n + k], inv[pivot * n + k]] = [inv[pivot * n + k]!, inv[col * n + k]!];
      }
    }
    const p = a[col * n + col]!;
    for (let k = 0; k < n; k++) {
      a[col * n + k] = a[col * n + k]! / p;
      inv[col * n + k] = inv[col * n + k]! / p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col]!;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] = a[r * n + k]! - f * a[col * n + k]!;
        inv[r * n + k] = inv[r * n + k]! - f * inv[col * n + k]!;
      }
    }
  }
  return inv;
}

/**
 * Maximum correlation (MC): the VM whose utilisation is best explained by the others' (highest multiple
 * R^2 over their common recent history), because correlated VMs peak together. Like CloudSim it needs
 * more samples than VMs (the regression's degrees of freedom) and otherwise falls back (CloudSim: MMT).
 */
export function mc(fallback: VmSelector): VmSelector {
  return {
    name: "mc",
    select(model: ClusterModel, host: number, rng: Rng): number {
      const candidates = movableVms(model, host);
      if (candidates.length === 0) return -1;
      let m = HISTORY_LENGTH;
      for (const vm of candidates) m = Math.min(m, model.vmHistory[vm]!.length);
      if (candidates.length < 2 || m - candidates.length < 1) return fallback.select(model, host, rng);
      const series = candidates.map((vm) => {
        const hist = model.vmHistory[vm]!;
        const s = new Float64Array(m);
        for (let t = 0; t < m; t++) s[t] = hist[hist.length - 1 - t]!;
        return s;
      });
      const r2 = multipleCorrelations(series, m);
      // CloudSim starts from Double.MIN_VALUE at index 0: if no R^2 is positive the first VM wins.
      let best = 0;
      let bestR2 = Number.MIN_VALUE;
      for (let i = 0; i < r2.length; i++) {
        if (r2[i]! > bestR2) {
          bestR2 = r2[i]!;
          best = i;
        }
      }
      return candidates[best]!;
    },
  };
}
