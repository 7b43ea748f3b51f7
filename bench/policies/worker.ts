import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { runDay } from "@ferry/policies";

export interface Job {
  readonly id: number;
  readonly day: string;
  /** The day's trace folder. */
  readonly trace: string;
  readonly policy: string;
  readonly predictor: string;
  readonly vmLifetime: "cloudsim" | "whole-day";
}

// One simulation at a time per thread: the machine has two cores, so the runner starts at most two.
parentPort!.on("message", (job: Job) => {
  try {
    const run = runDay({ trace: job.trace, policy: job.policy, predictor: job.predictor, vmLifetime: job.vmLifetime, now: () => performance.now() });
    parentPort!.postMessage({ id: job.id, run });
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: (error as Error).message });
  }
});
