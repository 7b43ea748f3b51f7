import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expectedImageDigest } from "./expected-image";
import { GuestHost } from "./guest-host";
import { GuestImage } from "./guest-image";
import { GuestJournal } from "./guest-journal";
import { GuestWorkload } from "./guest-workload";

const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;
const VM = { id: "00000000-0000-4000-8000-0000000000cc", memMiB: 4, dirtyRateMiBps: 0 };
const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), "ferry-journal-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("GuestJournal", () => {
  it("records before the writes: a reader sees the target count and where to redo from", () => {
    const dir = dataDir();
    const image = GuestImage.open(join(dir, "vm.img"), 4);
    const journal = GuestJournal.create(image.path, { seed: 7, writes: 0, redoFrom: 0 });
    const seen: unknown[] = [];
    const w = new GuestWorkload({ image, dirtyMiBps: 0, locality, seed: 7, journal: (from, to) => {
      journal.moving(from, to);
      seen.push(GuestJournal.read(image.path));
    } });
    w.writeNow(10);
    w.writeNow(5);
    expect(seen).toEqual([
      { seed: 7, writes: 10, redoFrom: 0 },
      { seed: 7, writes: 15, redoFrom: 10 },
    ]);
    expect(readFileSync(journal.path).length).toBe(128);
    journal.close();
    image.close();
  });

  it("an unreadable sidecar counts as none", () => {
    const dir = dataDir();
    writeFileSync(GuestJournal.pathOf(join(dir, "vm.img")), "{\"seed\":1,\"wri");
    expect(GuestJournal.read(join(dir, "vm.img"))).toBeUndefined();
  });

  it.each([
    ["a run cut short after some of its writes", 23],
    ["a run cut short before any of its writes", 0],
    ["a run that finished (nothing to redo but the redo itself)", 50],
  ])("replays on open: %s gives the image after the journalled count", async (_, appliedOfRun) => {
    const dir = dataDir();
    const killed = new GuestHost({ dataDir: dir, locality });
    const guest = killed.guestFor(VM);
    guest.workload.stop();
    guest.workload.writeNow(100);
    // The agent journals 100 -> 150 and dies after `appliedOfRun` of those writes.
    guest.journal.moving(100, 150);
    new GuestWorkload({ image: guest.image, dirtyMiBps: 0, locality, seed: guest.workload.state.seed, writesDone: 100 }).writeNow(appliedOfRun);
    const seed = guest.workload.state.seed;
    killed.close();

    const restarted = new GuestHost({ dataDir: dir, locality });
    const again = restarted.guestFor(VM);
    again.workload.stop();
    expect(again.workload.state).toEqual({ seed, writes: 150 });
    expect(await again.image.digest()).toBe(await expectedImageDigest({ memMiB: VM.memMiB, seed, writes: 150, locality }));
    again.workload.writeNow(30);
    expect(await again.image.digest()).toBe(await expectedImageDigest({ memMiB: VM.memMiB, seed, writes: 180, locality }));
    expect(GuestJournal.read(again.image.path)).toEqual({ seed, writes: 180, redoFrom: 150 });
    restarted.close();
  });
});
