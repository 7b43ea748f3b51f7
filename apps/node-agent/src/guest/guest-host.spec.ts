import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HostedVm } from "@ferry/protocol";
import { GuestHost } from "./guest-host";

const VM = { id: "00000000-0000-4000-8000-0000000000aa", memMiB: 8, dirtyRateMiBps: 1 };
const locality = { kind: "uniform" } as const;
const hosted: HostedVm = { ...VM, name: "vm", cpu: 1, workload: { kind: "constant", cpuFraction: 0.3, memFraction: 0.75 }, peers: [] };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("GuestHost", () => {
  it("a verified incoming image survives an agent restart and is adopted when the VM shows up in the hosted list", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    // A guest that does not write, so that the adopted image is exactly the one verified.
    const hello = { migrationId: "00000000-0000-4000-8000-0000000000bb", vmId: VM.id, memMiB: 8, dirtyRateMiBps: 0, pageSizeBytes: 4096 };
    const before = new GuestHost({ dataDir, locality });
    const image = before.open(hello);
    image.writePage(3, Buffer.alloc(4096, 9));
    const digest = await image.digest();
    before.verified(hello, image, { seed: 5, writes: 0 });
    before.close();
    image.close();

    const after = new GuestHost({ dataDir, locality });
    after.reconcile([hosted]);
    const guest = after.get(VM.id)!;
    guest.workload.stop();
    expect(await guest.image.digest()).toBe(digest);
    expect(guest.workload.state.seed).toBe(5);
    after.close();
  });

  it("a VM with neither its own nor an incoming image starts on a fresh one", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    const host = new GuestHost({ dataDir, locality });
    host.reconcile([hosted]);
    expect(host.get(VM.id)!.image.path).toBe(join(dataDir, "vms", `${VM.id}.img`));
    host.close();
  });
});
