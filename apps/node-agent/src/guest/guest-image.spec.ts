import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestImage } from "./guest-image";

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ferry-image-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const zeroDigest = (memMiB: number) => createHash("sha256").update(Buffer.alloc(memMiB * 1048576)).digest("hex");
/** Bytes the filesystem holds for the file (st_blocks is in 512-byte units whatever the block size). */
const allocatedBytes = (path: string) => statSync(path).blocks * 512;

describe("GuestImage", () => {
  it.each([
    { how: "open", memMiB: 4, allocated: false },
    { how: "allocate", memMiB: 4, allocated: true },
    // Not a multiple of the 16 MiB allocating write: the last write is shorter.
    { how: "allocate", memMiB: 20, allocated: true },
  ])("$how ($memMiB MiB): all zero, every page on disk: $allocated", async ({ how, memMiB, allocated }) => {
    const path = join(dataDir(), "vm.img");
    const image = how === "open" ? GuestImage.open(path, memMiB) : await GuestImage.allocate(path, memMiB);
    expect(statSync(path).size).toBe(memMiB * 1048576);
    expect(await image.digest()).toBe(zeroDigest(memMiB));
    if (allocated) expect(allocatedBytes(path)).toBeGreaterThanOrEqual(memMiB * 1048576);
    else expect(allocatedBytes(path)).toBeLessThan(1048576);
    image.close();
  });

  it("allocate replaces whatever file was at the path", async () => {
    const path = join(dataDir(), "vm.img");
    writeFileSync(path, Buffer.alloc(8 * 1048576, 7));
    const image = await GuestImage.allocate(path, 4);
    expect(statSync(path).size).toBe(4 * 1048576);
    expect(await image.digest()).toBe(zeroDigest(4));
    image.close();
  });
});
