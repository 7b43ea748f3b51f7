import type { LocalitySpec } from "@ferry/migration";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestImage } from "./guest-image";
import { GuestWorkload, type WorkloadState } from "./guest-workload";

export interface ExpectedImage extends WorkloadState {
  readonly memMiB: number;
  readonly locality: LocalitySpec;
}

/**
 * SHA-256 of the image a guest must have after `writes` writes of the workload seeded `seed`, started on a fresh
 * image: the workload is deterministic, so this checks any image after the fact (a source kept intact through a
 * failed migration, a target's copy). Replays the writes into a scratch image, deleted afterwards.
 */
export async function expectedImageDigest(o: ExpectedImage): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-expected-image-"));
  const image = GuestImage.open(join(dir, "vm.img"), o.memMiB);
  try {
    new GuestWorkload({ image, dirtyMiBps: 0, locality: o.locality, seed: o.seed }).writeNow(o.writes);
    return await image.digest();
  } finally {
    image.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
