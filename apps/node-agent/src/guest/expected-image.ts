import type { LocalitySpec } from "@ferry/migration";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestImage } from "./guest-image";
import { GuestWorkload, type WorkloadState } from "./guest-workload";

/**
 * The SHA-256 a guest's image must have after `state.writes` writes of its workload: the write log replayed on a
 * fresh sparse image. What a test or a chaos run checks a real image against.
 */
export async function expectedImageDigest(memMiB: number, locality: LocalitySpec, state: WorkloadState): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-expected-"));
  const image = GuestImage.open(join(dir, "replay.img"), memMiB);
  try {
    new GuestWorkload({ image, dirtyMiBps: 1, locality, seed: state.seed }).writeNow(state.writes);
    return await image.digest();
  } finally {
    image.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
