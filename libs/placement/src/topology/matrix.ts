import type { Hierarchy, Topology } from "./topology";
import { hierarchyDistance } from "./topology";

/**
 * An explicit distance matrix (row-major, n x n, zero diagonal, non-negative). The only kind that holds n^2
 * numbers, because they are its input.
 *
 * Groups for clustering are built bottom-up: at each threshold t (the distinct distances, or quantiles of them
 * when there are many), groups of the level below whose first hosts lie within t of a seed group's first host are
 * merged, so levels nest. If every distance then equals the threshold of the finest shared group (the matrix is
 * a tree metric such as the ones the tree kinds produce) the hierarchy is marked exact and solvers use it.
 */
export function matrixTopology(distance: Float64Array, n: number): Topology {
  if (distance.length !== n * n) throw new RangeError(`distance matrix must hold ${n * n} entries, got ${distance.length}`);
  let symmetric = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = distance[i * n + j];
      if (!Number.isFinite(d) || d < 0) throw new RangeError(`distance[${i}][${j}] = ${d} is not a finite non-negative number`);
      if (i === j && d !== 0) throw new RangeError(`distance[${i}][${i}] must be 0, got ${d}`);
      if (d !== distance[j * n + i]) symmetric = false;
    }
  }
  const hierarchy = clusterByThresholds(distance, n);
  return { kind: "matrix", hostCount: n, symmetric, hierarchy, distance: (a, b) => distance[a * n + b] };
}

const MAX_LEVELS = 6;

function clusterByThresholds(distance: Float64Array, n: number): Hierarchy {
  const values = new Set<number>();
  for (let i = 0; i < n * n; i++) if (distance[i] > 0) values.add(distance[i]);
  const sorted = [...values].sort((x, y) => x - y);
  let thresholds = sorted;
  if (sorted.length > MAX_LEVELS) {
    thresholds = [];
    for (let q = 1; q <= MAX_LEVELS; q++) thresholds.push(sorted[Math.min(sorted.length - 1, Math.ceil((q * sorted.length) / (MAX_LEVELS + 1)) - 1)]);
    thresholds = [...new Set(thresholds)];
  }
  // The largest threshold would join everything: the root needs no group.
  const levels = thresholds.filter((t) => t < (sorted[sorted.length - 1] ?? 0));
  const groupOf: Int32Array[] = [];
  const groupCount: number[] = [];
  let prev = Int32Array.from({ length: n }, (_, i) => i);
  let prevCount = n;
  for (const t of levels) {
    const rep = new Int32Array(prevCount).fill(-1);
    for (let h = 0; h < n; h++) if (rep[prev[h]] === -1) rep[prev[h]] = h;
    const merged = new Int32Array(prevCount).fill(-1);
    let count = 0;
    for (let g = 0; g < prevCount; g++) {
      if (merged[g] !== -1) continue;
      merged[g] = count;
      for (let o = g + 1; o < prevCount; o++) {
        if (merged[o] === -1 && distance[rep[g] * n + rep[o]] <= t && distance[rep[o] * n + rep[g]] <= t) merged[o] = count;
      }
      count++;
    }
    const g = new Int32Array(n);
    for (let h = 0; h < n; h++) g[h] = merged[prev[h]];
    groupOf.push(g);
    groupCount.push(count);
    prev = g;
    prevCount = count;
  }
  const costAtLevel = [...levels, sorted[sorted.length - 1] ?? 0];
  const candidate: Hierarchy = { exact: true, groupOf, groupCount, costAtLevel };
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a !== b && hierarchyDistance(candidate, a, b) !== distance[a * n + b]) return { ...candidate, exact: false };
    }
  }
  return candidate;
}
