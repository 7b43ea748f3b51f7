import { PlacementError } from "../errors";

/**
 * A quadratic assignment problem: place facility i at location p[i] (a permutation) to minimise
 * sum_ij a[i][j] * b[p[i]][p[j]]. Matrices are row-major n x n and held as doubles, because 32-bit integer
 * costs overflow on QAPLIB's tai*b instances.
 */
export interface QapInstance {
  readonly n: number;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** Reads a QAPLIB `.dat` file: n, then matrix A (n*n numbers), then matrix B; line breaks carry no meaning. */
export function parseQaplib(text: string): QapInstance {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 0) throw new PlacementError("InvalidProblem", "QAPLIB file is empty");
  const n = Number(tokens[0]);
  if (!Number.isInteger(n) || n < 1) {
    throw new PlacementError("InvalidProblem", `QAPLIB file must start with the size n, got "${tokens[0]}"`);
  }
  const want = 1 + 2 * n * n;
  if (tokens.length !== want) {
    throw new PlacementError(
      "InvalidProblem",
      `QAPLIB file with n = ${n} must hold ${want} numbers (n, then two ${n}x${n} matrices), found ${tokens.length}`,
    );
  }
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = parseEntry(tokens[1 + i], "A", i, n);
    b[i] = parseEntry(tokens[1 + n * n + i], "B", i, n);
  }
  return { n, a, b };
}

function parseEntry(token: string, matrix: string, index: number, n: number): number {
  const v = Number(token);
  if (!Number.isFinite(v)) {
    const row = Math.floor(index / n);
    throw new PlacementError(
      "InvalidProblem",
      `QAPLIB matrix ${matrix} row ${row + 1} column ${(index % n) + 1}: "${token}" is not a number`,
    );
  }
  return v;
}

/** The QAP objective of permutation p (p[i] = location of facility i, 0-based), recomputed from scratch. */
export function qapCost(inst: QapInstance, p: ArrayLike<number>): number {
  const { n, a, b } = inst;
  let cost = 0;
  for (let i = 0; i < n; i++) {
    const rowA = i * n;
    const rowB = p[i] * n;
    for (let j = 0; j < n; j++) cost += a[rowA + j] * b[rowB + p[j]];
  }
  return cost;
}
