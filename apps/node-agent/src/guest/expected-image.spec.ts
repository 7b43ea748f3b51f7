import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expectedImageDigest } from "./expected-image";
import { GuestImage } from "./guest-image";
import { GuestWorkload } from "./guest-workload";

const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("expectedImageDigest", () => {
  it("equals the digest of a guest's image after the same writes, made in two runs; differs after one more write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-expected-"));
    dirs.push(dir);
    const image = GuestImage.open(join(dir, "vm.img"), 4);
    const first = new GuestWorkload({ image, dirtyMiBps: 1, locality, seed: 11 });
    first.writeNow(700);
    const second = new GuestWorkload({ image, dirtyMiBps: 1, locality, seed: 11, writesDone: first.state.writes });
    second.writeNow(300);
    const actual = await image.digest();
    image.close();
    expect(second.state).toEqual({ seed: 11, writes: 1000 });
    expect(await expectedImageDigest({ memMiB: 4, locality, ...second.state })).toBe(actual);
    expect(await expectedImageDigest({ memMiB: 4, locality, seed: 11, writes: 1001 })).not.toBe(actual);
    expect(await expectedImageDigest({ memMiB: 4, locality, seed: 12, writes: 1000 })).not.toBe(actual);
  });
});
