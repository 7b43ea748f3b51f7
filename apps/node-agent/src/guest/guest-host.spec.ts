import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HostedVm, VmPlacement } from "@ferry/protocol";
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

  it("a hosted list asked for before a VM's guest was released does not start it again", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    const host = new GuestHost({ dataDir, locality });
    host.reconcile([hosted]);
    const askedBefore = Date.now() - 1;
    host.release(VM.id);
    host.reconcile([hosted], askedBefore);
    expect(host.get(VM.id)).toBeUndefined();
    expect(existsSync(join(dataDir, "vms", `${VM.id}.img`))).toBe(false);
    await new Promise((r) => setTimeout(r, 2));
    host.reconcile([hosted], Date.now());
    expect(host.get(VM.id)).toBeDefined();
    host.close();
  });

  it("at start, deletes incoming images never verified and marks without an image; keeps verified ones waiting", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    const incoming = join(dataDir, "incoming");
    mkdirSync(incoming, { recursive: true });
    const killed = new GuestHost({ dataDir, locality });
    const hello = (m: string) => ({ migrationId: `00000000-0000-4000-8000-0000000000${m}`, vmId: VM.id, memMiB: 8, dirtyRateMiBps: 0, pageSizeBytes: 4096 });
    killed.open(hello("b1")).close();
    const verified = killed.open(hello("b2"));
    killed.verified(hello("b2"), verified, { seed: 1, writes: 0 });
    verified.close();
    writeFileSync(join(incoming, `${VM.id}.00000000-0000-4000-8000-0000000000b3.img.verified.json`), "{}");
    killed.close();

    const after = new GuestHost({ dataDir, locality });
    expect(readdirSync(incoming).sort()).toEqual([`${VM.id}.${hello("b2").migrationId}.img`, `${VM.id}.${hello("b2").migrationId}.img.verified.json`]);
    after.reconcile([hosted]);
    expect(after.get(VM.id)!.image.path).toBe(join(dataDir, "vms", `${VM.id}.img`));
    expect(readdirSync(incoming)).toEqual([]);
    after.close();
  });
});

describe("GuestHost.resolve: only the controller's answer deletes an image", () => {
  const HERE = "00000000-0000-4000-8000-000000000001";
  const THERE = "00000000-0000-4000-8000-000000000002";
  const M = "00000000-0000-4000-8000-0000000000dd";
  const answer = (p: Partial<VmPlacement>): VmPlacement => ({ vmId: VM.id, nodeId: THERE, openMigrationId: null, arrivedBy: null, ...p });

  async function hostWithGuest(paused = false) {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    const host = new GuestHost({ dataDir, locality });
    const guest = host.guestFor(VM);
    if (paused) guest.workload.pause();
    return { host, guest, image: join(dataDir, "vms", `${VM.id}.img`) };
  }

  it.each([
    ["recorded elsewhere, no migration open: released", answer({}), false],
    ["recorded elsewhere, a migration of it still open: kept", answer({ openMigrationId: M }), true],
    ["recorded nowhere (its node failed): kept", answer({ nodeId: null }), true],
    ["recorded here: kept", answer({ nodeId: HERE }), true],
    ["the controller cannot say: kept", new Error("controller down"), true],
  ])("a guest missing from the hosted list, %s", async (_, placement, kept) => {
    const { host, image } = await hostWithGuest();
    await host.resolve([], HERE, async () => {
      if (placement instanceof Error) throw placement;
      return placement;
    });
    expect(existsSync(image)).toBe(kept);
    expect(existsSync(`${image}.state.json`)).toBe(kept);
    expect(host.get(VM.id) !== undefined).toBe(kept);
    host.close();
  });

  it("an image on disk with no guest (an agent killed before deleting it) goes once the VM is recorded elsewhere", async () => {
    const { host, image } = await hostWithGuest();
    host.close();
    const restarted = new GuestHost({ dataDir: join(image, "..", ".."), locality });
    await restarted.resolve([], HERE, async () => answer({ openMigrationId: M }));
    expect(existsSync(image)).toBe(true);
    await restarted.resolve([], HERE, async () => answer({}));
    expect(existsSync(image)).toBe(false);
    restarted.close();
  });

  it("a guest left paused (a lost commit verdict) resumes when recorded here, and is released when recorded elsewhere", async () => {
    const { host, guest } = await hostWithGuest(true);
    await host.resolve([hosted], HERE, async () => answer({ nodeId: HERE }));
    expect(guest.workload.isPaused).toBe(false);
    guest.workload.pause();
    const done = host.beginOutgoing(VM.id);
    await host.resolve([], HERE, async () => answer({}));
    expect(host.get(VM.id)).toBe(guest);
    done();
    await host.resolve([], HERE, async () => answer({}));
    expect(host.get(VM.id)).toBeUndefined();
    host.close();
  });

  it("a verified incoming image is adopted when its migration brought the VM here, discarded once its migration ended elsewhere", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ferry-host-"));
    dirs.push(dataDir);
    const hello = { migrationId: M, vmId: VM.id, memMiB: 8, dirtyRateMiBps: 0, pageSizeBytes: 4096 };
    const make = () => {
      const host = new GuestHost({ dataDir, locality });
      host.verified(hello, host.open(hello), { seed: 3, writes: 0 });
      return host;
    };
    const adopting = make();
    await adopting.resolve([], HERE, async () => answer({ nodeId: HERE, arrivedBy: "00000000-0000-4000-8000-0000000000ee" }));
    expect(adopting.get(VM.id)).toBeUndefined();
    await adopting.resolve([], HERE, async () => answer({ nodeId: HERE, arrivedBy: M }));
    expect(adopting.get(VM.id)!.workload.state.seed).toBe(3);
    adopting.release(VM.id);
    adopting.close();

    const discarding = make();
    await discarding.resolve([], HERE, async () => answer({ openMigrationId: M }));
    expect(readdirSync(join(dataDir, "incoming"))).toHaveLength(2);
    await discarding.resolve([], HERE, async () => answer({}));
    expect(readdirSync(join(dataDir, "incoming"))).toEqual([]);
    discarding.close();
  });
});
