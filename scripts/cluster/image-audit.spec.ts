import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestImage } from "../../apps/node-agent/src/guest/guest-image";
import { GuestJournal } from "../../apps/node-agent/src/guest/guest-journal";
import { GuestWorkload } from "../../apps/node-agent/src/guest/guest-workload";
import { auditImages, placementSettled } from "./image-audit";

const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;
const VM = { id: "00000000-0000-4000-8000-0000000000a1", name: "vm-1", memMiB: 4, nodeName: "n1" };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data dir per node, with VM's image on n1 after `writes` writes of seed 5 and a journal saying `journalled`. */
function cluster(writes: number, journalled = writes) {
  const root = mkdtempSync(join(tmpdir(), "ferry-audit-"));
  dirs.push(root);
  const dataDirOf = (node: string) => join(root, node);
  const path = join(dataDirOf("n1"), "vms", `${VM.id}.img`);
  const image = GuestImage.open(path, VM.memMiB);
  new GuestWorkload({ image, dirtyMiBps: 0, locality, seed: 5 }).writeNow(writes);
  image.close();
  GuestJournal.create(path, { seed: 5, writes: journalled, redoFrom: journalled }).close();
  return { dataDirOf, path };
}

describe("auditImages", () => {
  it.each([
    ["the image of its journalled (seed, writes), on its node only", () => cluster(40), new Map(), []],
    ["an image behind its journal", () => cluster(40, 41), new Map(), [/not the one of seed 5 after 41 writes/]],
    ["a write count lower than one seen during the run", () => cluster(40), new Map([[VM.id, 90]]), [/lost memory, 40 writes at the end after 90/]],
    [
      "a second copy in another node's vms/",
      () => {
        const c = cluster(40);
        mkdirSync(join(c.dataDirOf("n2"), "vms"), { recursive: true });
        copyFileSync(c.path, join(c.dataDirOf("n2"), "vms", `${VM.id}.img`));
        return c;
      },
      new Map(),
      [/recorded on n1, image in vms\/ of \[n1, n2\]/],
    ],
  ])("%s", async (_, make, seen, expected) => {
    const { dataDirOf } = make();
    const audit = await auditImages([VM], ["n1", "n2"], dataDirOf, locality, seen);
    expect(audit.violations).toHaveLength(expected.length);
    expected.forEach((re, i) => expect(audit.violations[i]).toMatch(re));
    expect(audit.digestsMatch).toBe(expected.some((re) => /not the one/.test(re.source)) ? 0 : 1);
  });

  it("a left-over incoming file strays, and the placement is not settled while it is there", async () => {
    const { dataDirOf } = cluster(10);
    expect(placementSettled([VM], ["n1", "n2"], dataDirOf)).toBe(true);
    mkdirSync(join(dataDirOf("n2"), "incoming"), { recursive: true });
    writeFileSync(join(dataDirOf("n2"), "incoming", `${VM.id}.x.img`), "");
    expect(placementSettled([VM], ["n1", "n2"], dataDirOf)).toBe(false);
    expect((await auditImages([VM], ["n1", "n2"], dataDirOf, locality)).strays).toEqual([join(dataDirOf("n2"), "incoming", `${VM.id}.x.img`)]);
  });
});
