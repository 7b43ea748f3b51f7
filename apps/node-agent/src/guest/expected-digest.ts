import type { LocalitySpec } from "@ferry/migration";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GuestImage } from "./guest-image";
import { GuestWorkload } from "./guest-workload";

export interface DeterministicImage {
  readonly memMiB: number;
  readonly seed: number;
  readonly writes: number;
  /** The agents' FERRY_GUEST_LOCALITY: where the writes land depends on it. */
  readonly locality: LocalitySpec;
}

/**
 * SHA-256 of the image a guest of `memMiB` has after `writes` writes of the stream of `seed`: what any copy of
 * the VM's image must hash to, wherever it ran and however often it moved or its agent was killed. Built on a
 * scratch file (sparse, removed afterwards) by the same workload the agents run.
 */
export async function expectedDigest(d: DeterministicImage): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-expected-"));
  const image = GuestImage.open(join(dir, "vm.img"), d.memMiB);
  try {
    new GuestWorkload({ image, dirtyMiBps: 0, locality: d.locality, seed: d.seed }).writeNow(d.writes);
    return await image.digest();
  } finally {
    image.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
