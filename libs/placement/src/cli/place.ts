import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ZodError, z } from "zod";
import { PlacementError } from "../errors";
import { parseQaplib } from "../model/qap";
import type { PlacementProblem, TopologySpec } from "../model/problem";
import { solveQap } from "../qap";
import { planReplacement } from "../replan";
import { solvePlacement } from "../solve";
import type { SolverName } from "../solve";
import { SOLVER_NAMES } from "../solve";
import type { ProblemFile } from "./problem-schema";
import { problemFileSchema } from "./problem-schema";

/**
 * place solve <problem.json> [--time-limit-ms N] [--seed S] [--max-iterations N] [--solver NAME]
 *   -> {"placement": {vmId: hostId}, "cost": n, "migrations": n, "elapsedMs": n}
 * place qap <instance.dat> [--time-limit-ms N] [--seed S] [--max-iterations N]
 *   -> {"n": n, "cost": n, "permutation": [0-based location of each facility]}
 *
 * Exactly one JSON object on stdout. Bad input or an infeasible problem: a message on stderr naming what is
 * wrong, exit 1; a usage error: exit 2.
 */
const USAGE = `usage:
  place solve <problem.json> [--time-limit-ms N] [--seed S] [--max-iterations N] [--solver NAME]
  place qap <instance.dat> [--time-limit-ms N] [--seed S] [--max-iterations N]`;

class UsageError extends Error {}


/** Where the CLI writes; the process streams in production, buffers in tests. */
export interface PlaceIo {
  out(text: string): void;
  err(text: string): void;
}

function main(argv: string[], io: PlaceIo): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "time-limit-ms": { type: "string" },
      seed: { type: "string" },
      "max-iterations": { type: "string" },
      solver: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(`${JSON.stringify({ usage: USAGE })}\n`);
    return 0;
  }
  const [command, file, ...rest] = positionals;
  if (!command || !file || rest.length > 0) throw new UsageError(`expected a command and one file\n${USAGE}`);
  if (command !== "solve" && command !== "qap") throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  const timeLimitMs = numberFlag(values["time-limit-ms"], "--time-limit-ms", 0);
  const seed = numberFlag(values.seed, "--seed", -(2 ** 31), true);
  const maxIterations = numberFlag(values["max-iterations"], "--max-iterations", 0, true);
  const text = readInput(file);
  if (command === "qap") {
    const r = solveQap(parseQaplib(text), { timeLimitMs, seed, maxIterations });
    io.out(`${JSON.stringify({ n: r.n, cost: r.cost, permutation: r.permutation })}\n`);
    return 0;
  }
  const solver = (values.solver ?? "auto") as SolverName;
  if (!SOLVER_NAMES.includes(solver)) throw new UsageError(`--solver must be one of ${SOLVER_NAMES.join(", ")}, got "${solver}"`);
  const { file: spec, problem } = parseProblem(text);
  const budgeted = (spec.maxMigrations !== undefined || spec.maxMemoryMovedMiB !== undefined) && spec.current !== undefined;
  let out: { placement: Record<string, string>; cost: number; migrations: number; elapsedMs: number };
  if (budgeted) {
    // A migration budget on a running cluster: an incremental plan, feasible after every move.
    if (values.solver) throw new UsageError("--solver does not apply to a problem with a migration budget");
    const plan = planReplacement(problem, {
      maxMigrations: spec.maxMigrations,
      maxMemoryMovedMiB: spec.maxMemoryMovedMiB,
      weights: spec.weights,
      timeLimitMs,
      seed,
    });
    out = { placement: { ...plan.placement }, cost: plan.costAfter, migrations: plan.migrations, elapsedMs: plan.elapsedMs };
  } else {
    const r = solvePlacement(problem, { timeLimitMs, seed, maxIterations, solver, weights: spec.weights });
    out = { placement: r.placement, cost: r.cost, migrations: r.migrations, elapsedMs: r.elapsedMs };
  }
  io.out(`${JSON.stringify({ ...out, elapsedMs: round(out.elapsedMs) })}\n`);
  return 0;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function numberFlag(raw: string | undefined, name: string, min: number, integer = false): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got "${raw}"`);
  }
  return v;
}

function readInput(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new PlacementError("InvalidProblem", `cannot read ${file}: ${(e as Error).message}`);
  }
}

function parseProblem(text: string): { file: ProblemFile; problem: PlacementProblem } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PlacementError("InvalidProblem", `problem file is not valid JSON: ${(e as Error).message}`);
  }
  const file = problemFileSchema.parse(json);
  if (file.hostDistance) {
    const n = file.hosts.length;
    if (file.hostDistance.length !== n) throw new PlacementError("InvalidProblem", `hostDistance has ${file.hostDistance.length} rows for ${n} hosts`);
    file.hostDistance.forEach((row, i) => {
      if (row.length !== n) throw new PlacementError("InvalidProblem", `hostDistance[${i}] has ${row.length} entries, want ${n}`);
      if (row[i] !== 0) throw new PlacementError("InvalidProblem", `hostDistance[${i}][${i}] must be 0, got ${row[i]}`);
    });
  }
  const topology: TopologySpec = file.hostDistance ? { kind: "matrix", distance: file.hostDistance } : (file.topology ?? { kind: "labels" });
  return {
    file,
    problem: { hosts: file.hosts, vms: file.vms, traffic: file.traffic ?? [], topology, groups: file.groups, current: file.current },
  };
}

/** Runs the CLI and returns the exit code. */
export function runPlace(argv: string[], io: PlaceIo): number {
  let code: number;
  try {
    code = main(argv, io);
  } catch (e) {
    if (e instanceof ZodError) {
      io.err(`place: invalid problem file:\n${z.prettifyError(e)}\n`);
      code = 1;
    } else if (e instanceof PlacementError) {
      io.err(`place: ${e.code === "Infeasible" ? "infeasible" : "invalid input"}: ${e.message}\n`);
      code = 1;
    } else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`place: ${(e as Error).message}\n`);
      code = 2;
    } else {
      io.err(`place: internal error: ${(e as Error).stack ?? String(e)}\n`);
      code = 3;
    }
  }
  return code;
}

if (require.main === module) {
  process.exitCode = runPlace(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
