import { describe, expect, it } from "vitest";
import { move, node, running, smallFabric } from "./fixtures/builders";
import type { BlockReason, RunningMigration, ScheduleInput, SchedulerNode, WaitingMove } from "./model";
import { predictAtShare } from "./predict-at-share";
import { schedule } from "./schedule";

const MIN = 60_000;

function run(waiting: WaitingMove[], over: Partial<ScheduleInput> = {}) {
  return schedule({ nowMs: 0, nodes: smallFabric(), running: [], waiting, ...over });
}

const startedIds = (r: ReturnType<typeof schedule>) => r.starts.map((s) => s.moveId);
const reasonOf = (r: ReturnType<typeof schedule>, id: string) => r.blocked.find((b) => b.moveId === id)?.reason;

describe("schedule: each limit", () => {
  const full = (id: string): SchedulerNode => node(id, id[0], id[0] < "c" ? "p1" : "p2", { used: { cpu: 64, memMiB: 262_144 } });
  const cases: {
    name: string;
    nodes?: SchedulerNode[];
    running?: RunningMigration[];
    waiting: WaitingMove[];
    options?: ScheduleInput["options"];
    started: string[];
    blocked: [string, BlockReason, RegExp][];
  }[] = [
    {
      // Six moves on six distinct node pairs: only the cluster limit (default 5) stops the sixth.
      name: "per cluster",
      waiting: [
        move("m1", "a1", "a2"),
        move("m2", "a2", "b1"),
        move("m3", "b1", "b2"),
        move("m4", "b2", "c1"),
        move("m5", "c1", "c2"),
        move("m6", "c2", "d1", { enqueuedAtMs: 1 }),
      ],
      started: ["m1", "m2", "m3", "m4", "m5"],
      blocked: [["m6", "cluster-limit", /5 of 5 migrations in flight/]],
    },
    {
      name: "per cluster, set lower",
      options: { limits: { perCluster: 1 } },
      running: [running("r1", "d1", "d2")],
      waiting: [move("m1", "a1", "a2")],
      started: [],
      blocked: [["m1", "cluster-limit", /1 of 1/]],
    },
    {
      name: "outbound per node (default 2)",
      waiting: [move("m1", "a1", "b1"), move("m2", "a1", "c1"), move("m3", "a1", "d1")],
      started: ["m1", "m2"],
      blocked: [["m3", "outbound-limit", /2 of 2 migrations leaving a1/]],
    },
    {
      name: "inbound per node (default 2), counting running migrations",
      running: [running("r1", "b1", "a1")],
      waiting: [move("m1", "c1", "a1"), move("m2", "d1", "a1")],
      started: ["m1"],
      blocked: [["m2", "inbound-limit", /2 of 2 migrations arriving at a1/]],
    },
    {
      name: "capacity: the target's room counts the reservations of running migrations",
      nodes: [...smallFabric().filter((n) => n.id !== "b1"), node("b1", "b", "p1", { capacity: { cpu: 8, memMiB: 16_384 }, used: { cpu: 4, memMiB: 8192 } })],
      running: [running("r1", "c1", "b1", { cpu: 2, memMiB: 4096 })],
      waiting: [move("m1", "a1", "b1", { cpu: 2, memMiB: 8192 })],
      started: [],
      blocked: [["m1", "capacity", /b1 has 2 cpu \/ 4096 MiB free, the VM needs 2 \/ 8192/]],
    },
    {
      name: "a target that accepts no VMs",
      nodes: [...smallFabric().filter((n) => n.id !== "b1"), node("b1", "b", "p1", { acceptsIncoming: false })],
      waiting: [move("m1", "a1", "b1")],
      started: [],
      blocked: [["m1", "target-closed", /b1 accepts no incoming/]],
    },
    {
      // 10 Gbit/s host uplink: a VM dirtying 400 MiB/s needs 2 x 3355 Mbit/s; sharing a1's uplink would give it 5000.
      name: "bandwidth per link: a start that would leave a migration below twice its dirty rate",
      running: [running("r1", "a1", "b1", { dirtyMiBps: 400 })],
      waiting: [move("m1", "a1", "c1", { dirtyMiBps: 400 })],
      started: [],
      blocked: [["m1", "link-bandwidth", /would get 5000 Mbit\/s \(bottleneck host:a1:up\), needs 6711/]],
    },
    {
      name: "bandwidth per link: a lower rack uplink from a label",
      nodes: smallFabric().map((n) => (n.id[0] === "a" ? { ...n, labels: { ...n.labels, "rack-uplink-mbps": "4000" } } : n)),
      running: [running("r1", "a1", "b1", { dirtyMiBps: 200 })],
      waiting: [move("m1", "a2", "c1", { dirtyMiBps: 200 })],
      started: [],
      blocked: [["m1", "link-bandwidth", /bottleneck rack:p1\/a:up/]],
    },
    {
      name: "invalid moves",
      waiting: [
        move("m1", "a1", "a1"),
        move("m2", "a1", "zz"),
        move("m3", "a1", "b1", { memMiB: 0 }),
        move("m4", "a1", "b1", { dirtyMiBps: -1 }),
        move("m5", "a1", "b1", { bandwidthCapMbps: 0 }),
      ],
      started: [],
      blocked: [
        ["m1", "invalid", /same node/],
        ["m2", "invalid", /unknown node zz/],
        ["m3", "invalid", /memMiB > 0/],
        ["m4", "invalid", /dirtyMiBps must be >= 0/],
        ["m5", "invalid", /bandwidthCapMbps must be > 0/],
      ],
    },
    {
      name: "the cycle reason for a swap between full nodes with nowhere to hop",
      nodes: smallFabric().map(() => undefined!).map((_, i) => full(smallFabric()[i].id)),
      waiting: [move("m1", "a1", "a2"), move("m2", "a2", "a1")],
      started: [],
      blocked: [
        ["m1", "cycle", /a1 -> a2 -> a1: needs a temporary hop/],
        ["m2", "cycle", /waits for room on the cycle a1 -> a2 -> a1/],
      ],
    },
  ];

  it.each(cases)("$name", ({ nodes, running: inFlight, waiting, options, started, blocked }) => {
    const r = run(waiting, { nodes: nodes ?? smallFabric(), running: inFlight ?? [], options });
    expect(startedIds(r).sort()).toEqual(started.sort());
    for (const [id, reason, detail] of blocked) {
      const b = r.blocked.find((x) => x.moveId === id);
      expect(b?.reason, id).toBe(reason);
      expect(b?.detail).toMatch(detail);
    }
    expect(r.blocked).toHaveLength(waiting.length - started.length);
  });

  it("refuses a migration id given twice", () => {
    expect(() => run([move("m1", "a1", "b1")], { running: [running("m1", "c1", "d1")] })).toThrow(/m1 appears twice/);
  });

  it("refuses limits below 1", () => {
    expect(() => run([], { options: { limits: { perCluster: 0 } } })).toThrow(/perCluster/);
  });
});

describe("schedule: link sharing", () => {
  it.each([
    {
      name: "two moves out of one node halve its uplink",
      waiting: [move("m1", "a1", "b1"), move("m2", "a1", "c1")],
      shares: { m1: [5000, "host:a1:up"], m2: [5000, "host:a1:up"] },
    },
    {
      name: "moves on disjoint paths each get a full host link",
      waiting: [move("m1", "a1", "b1"), move("m2", "a2", "c1")],
      shares: { m1: [10_000, "host:a1:up"], m2: [10_000, "host:a2:up"] },
    },
    {
      name: "a per-migration cap leaves the rest to the other",
      waiting: [move("m1", "a1", "b1", { bandwidthCapMbps: 2000 }), move("m2", "a1", "c1")],
      shares: { m1: [2000, "cap"], m2: [8000, "host:a1:up"] },
    },
  ])("$name", ({ waiting, shares }) => {
    const r = run(waiting);
    for (const [id, [share, bottleneck]] of Object.entries(shares)) {
      const s = r.starts.find((x) => x.moveId === id)!;
      expect(s.shareMbps).toBeCloseTo(share as number, 6);
      expect(s.bottleneck).toBe(bottleneck);
    }
  });

  it("re-shares running migrations and gives their new ETA", () => {
    const r = run([move("m1", "a1", "c1")], { running: [running("r1", "a1", "b1", { remainingBytes: 5e9 })] });
    expect(r.running).toEqual([{ id: "r1", shareMbps: 5000, bottleneck: "host:a1:up", etaMs: 8000 }]);
  });

  it("prices each start at the share it gets, not at the full link", () => {
    const r = run([move("m1", "a1", "b1", { memMiB: 16_384, dirtyMiBps: 100 }), move("m2", "a1", "c1", { memMiB: 16_384, dirtyMiBps: 100 })]);
    const m1 = r.starts.find((s) => s.moveId === "m1")!;
    expect(m1.shareMbps).toBe(5000);
    expect(m1.prediction).toEqual(predictAtShare({ memMiB: 16_384, dirtyMiBps: 100 }, 5000, 0.5));
    expect(m1.prediction.totalMs).toBeGreaterThan(predictAtShare({ memMiB: 16_384, dirtyMiBps: 100 }, 10_000, 0.5).totalMs * 1.9);
  });
});

describe("schedule: ordering", () => {
  it.each([
    {
      name: "evacuations, then drains, before balancing and traffic",
      limits: { perCluster: 2 },
      waiting: [
        move("traffic", "a1", "a2", { moveClass: "traffic" }),
        move("balance", "b1", "b2", { moveClass: "balance" }),
        move("drain", "c1", "c2", { moveClass: "drain", enqueuedAtMs: 5 }),
        move("evac", "d1", "d2", { moveClass: "evacuate", enqueuedAtMs: 9 }),
      ],
      started: ["evac", "drain"],
    },
    {
      name: "within a class, first the node with the most queued work (critical path)",
      limits: { perCluster: 1 },
      waiting: [move("lone", "a1", "a2"), move("busy1", "b1", "c1", { enqueuedAtMs: 1 }), move("busy2", "b1", "d1", { enqueuedAtMs: 2 })],
      started: ["busy1"],
    },
    {
      name: "within a class and equal backlog, the longest move first",
      limits: { perCluster: 1 },
      waiting: [move("small", "a1", "a2", { memMiB: 2048 }), move("big", "b1", "b2", { memMiB: 65_536, enqueuedAtMs: 1 })],
      started: ["big"],
    },
    {
      // Two slots: a1's second move would share a1's uplink; the move on a free path goes first.
      name: "a rank fills free paths before doubling up on a link",
      limits: { perCluster: 2 },
      waiting: [move("x1", "a1", "b1", { memMiB: 8192 }), move("x2", "a1", "c1", { memMiB: 8192 }), move("y", "d1", "d2", { memMiB: 1024 })],
      started: ["x1", "y"],
    },
    {
      name: "a free slot is still used when the only move left shares a link",
      limits: { perCluster: 3 },
      waiting: [move("x1", "a1", "b1"), move("x2", "a1", "c1")],
      started: ["x1", "x2"],
    },
  ])("$name", ({ limits, waiting, started }) => {
    expect(startedIds(run(waiting, { options: { limits } })).sort()).toEqual(started.sort());
  });

  it("a blocked drain holds its nodes: a balance move may not take the slot it waits for", () => {
    const r = run(
      [move("drain", "a1", "b1", { moveClass: "drain" }), move("balance", "a1", "c1", { moveClass: "balance" })],
      { running: [running("r1", "a1", "d1"), running("r2", "c2", "b1"), running("r3", "c1", "b1")] },
    );
    expect(startedIds(r)).toEqual([]);
    expect(reasonOf(r, "drain")).toBe("inbound-limit");
    expect(r.blocked.find((b) => b.moveId === "balance")).toMatchObject({ reason: "ordering", detail: expect.stringMatching(/a1's outbound slots are held for higher-ranked move drain/) });
  });

  it("a drain waiting for room holds its target's room, but not the moves out of it that make room", () => {
    const nodes = smallFabric().map((n) => (n.id === "b1" ? { ...n, capacity: { cpu: 8, memMiB: 16_384 }, used: { cpu: 4, memMiB: 12_288 } } : n));
    // b1 has 4 GiB free: not enough for the drained VM (8 GiB), enough for the balance move into it (2 GiB).
    const r = run(
      [
        move("drain", "a1", "b1", { moveClass: "drain", memMiB: 8192 }),
        move("into", "c1", "b1", { moveClass: "balance", memMiB: 2048 }),
        move("out", "b1", "d1", { moveClass: "balance" }),
      ],
      { nodes },
    );
    expect(startedIds(r)).toEqual(["out"]);
    expect(reasonOf(r, "drain")).toBe("capacity");
    expect(r.blocked.find((b) => b.moveId === "into")?.detail).toMatch(/b1's inbound slots and room are held for higher-ranked move drain/);
  });

  it("a blocked balance move holds nothing: others use what it cannot", () => {
    const r = run([move("b1", "a1", "b1"), move("b2", "a1", "c1", { enqueuedAtMs: 1 })], { running: [running("r2", "c2", "b1"), running("r3", "d1", "b1")] });
    expect(startedIds(r)).toEqual(["b2"]);
    expect(reasonOf(r, "b1")).toBe("inbound-limit");
  });
});

describe("schedule: cycles", () => {
  /** a1 full (16 GiB of 16), a2 with 4 GiB free; the other nodes empty unless told. */
  const tight = () =>
    smallFabric().map((n) =>
      n.id === "a1" || n.id === "a2" ? { ...n, capacity: { cpu: 8, memMiB: 16_384 }, used: { cpu: 8, memMiB: n.id === "a1" ? 16_384 : 12_288 } } : n,
    );
  // Each fits once the other has left: a swap no order of the two moves can start.
  const swap = () => [move("big", "a1", "a2", { memMiB: 8192, cpu: 0 }), move("small", "a2", "a1", { memMiB: 4096, cpu: 0 })];

  it("a swap between two full nodes is broken by a hop of the smallest VM that unlocks it, to a third node nearest its target", () => {
    const r = run(swap(), { nodes: tight() });
    expect(r.starts).toHaveLength(1);
    expect(r.starts[0]).toMatchObject({ moveId: "small", from: "a2", hop: { finalTo: "a1" } });
    // a1's rack has no room, so the hop goes to the same pod (rack b), the emptiest first, then by id.
    expect(r.starts[0].to).toBe("b1");
    expect(r.blocked).toEqual([{ moveId: "big", reason: "cycle", detail: expect.stringMatching(/a1 -> a2 -> a1.*small breaks it through b1/) }]);
  });

  it("once the hop has landed the cycle unwinds: the other move, then the second leg", () => {
    const landed = tight().map((n) => (n.id === "a2" ? { ...n, used: { cpu: 8, memMiB: 8192 } } : n.id === "b1" ? { ...n, used: { cpu: 0, memMiB: 4096 } } : n));
    const first = run([swap()[0], move("small+", "b1", "a1", { memMiB: 4096, cpu: 0 })], { nodes: landed });
    expect(startedIds(first)).toEqual(["big"]);
    expect(reasonOf(first, "small+")).toBe("capacity");
    const done = landed.map((n) => (n.id === "a1" ? { ...n, used: { cpu: 8, memMiB: 8192 } } : n));
    expect(startedIds(run([move("small+", "b1", "a1", { memMiB: 4096, cpu: 0 })], { nodes: done }))).toEqual(["small+"]);
  });

  it("the smallest VM is not chosen when its leaving would let no move of the cycle in", () => {
    // Both full. tiny or mid leaving a2 frees 1 or 7 GiB, big needs 8; big leaving a1 frees 8, enough for either.
    const nodes = tight().map((n) => (n.id === "a2" ? { ...n, used: { cpu: 8, memMiB: 16_384 } } : n));
    const r = run(
      [
        move("big", "a1", "a2", { memMiB: 8192, cpu: 0 }),
        move("mid", "a2", "a1", { memMiB: 7168, cpu: 0 }),
        move("tiny", "a2", "a1", { memMiB: 1024, cpu: 0 }),
      ],
      { nodes },
    );
    expect(r.starts.map((s) => [s.moveId, s.hop?.finalTo])).toEqual([["big", "a2"]]);
  });

  it("a three-node cycle is found too", () => {
    const nodes = smallFabric().map((n) =>
      ["a1", "b1", "c1"].includes(n.id) ? { ...n, capacity: { cpu: 8, memMiB: 16_384 }, used: { cpu: 8, memMiB: 16_384 } } : n,
    );
    const r = run([move("ab", "a1", "b1", { cpu: 0 }), move("bc", "b1", "c1", { cpu: 0 }), move("ca", "c1", "a1", { cpu: 0 })], { nodes });
    expect(r.starts.map((s) => [s.moveId, s.hop?.finalTo])).toEqual([["ab", "b1"]]);
    expect(r.blocked.map((b) => b.reason)).toEqual(["cycle", "cycle"]);
  });

  it("a move into a node that accepts nothing is refused as such, not taken for a cycle", () => {
    const nodes = tight().map((n) => (n.id === "a1" ? { ...n, acceptsIncoming: false } : n));
    const r = run(swap(), { nodes });
    expect(r.starts).toEqual([]);
    expect(reasonOf(r, "small")).toBe("target-closed");
    expect(reasonOf(r, "big")).toBe("capacity");
  });

  it.each([
    { name: "a migration already leaving one of the nodes will free room", running: [running("r1", "a1", "c1")], waiting: [] as WaitingMove[] },
    { name: "a waiting move out of one of the nodes can free room", running: [], waiting: [move("out", "a1", "d2", { enqueuedAtMs: 5 })] },
  ])("not a deadlock when $name: plain capacity, no hop", ({ running: inFlight, waiting }) => {
    const r = run([...swap(), ...waiting], { nodes: tight(), running: inFlight });
    expect(r.starts.some((s) => s.hop)).toBe(false);
    expect(reasonOf(r, "big")).toBe("capacity");
    expect(reasonOf(r, "small")).toBe("capacity");
  });
});

describe("schedule: aging, no starvation", () => {
  const options = { limits: { perCluster: 1 }, agingStepMs: MIN, starvationMs: 3 * MIN };

  it.each([
    { name: "a fresh traffic move waits behind a fresh balance move", trafficAt: 0, want: "balance" },
    { name: "after two steps a traffic move outranks a fresh balance move", trafficAt: -2 * MIN, want: "traffic" },
  ])("$name", ({ trafficAt, want }) => {
    const r = run([move("traffic", "a1", "a2", { moveClass: "traffic", enqueuedAtMs: trafficAt }), move("balance", "b1", "b2")], { options });
    expect(startedIds(r)).toEqual([want]);
  });

  it("a starving move goes before fresh drains, never before an evacuation", () => {
    const waiting = [
      move("old", "a1", "a2", { moveClass: "traffic", enqueuedAtMs: -60 * MIN }),
      move("drain", "b1", "b2", { moveClass: "drain" }),
      move("evac", "c1", "c2", { moveClass: "evacuate" }),
    ];
    expect(startedIds(run(waiting, { options }))).toEqual(["evac"]);
    expect(startedIds(run(waiting.slice(0, 2), { options }))).toEqual(["old"]);
  });

  it("a stream of newer moves through the same node never starves an old one", () => {
    // Node a1 sends one migration at a time; every round a new balance move out of a1 arrives, and one running
    // migration ends. The traffic move must get a1 within a bounded number of rounds.
    const nodes = smallFabric();
    const opts = { limits: { outboundPerNode: 1 }, agingStepMs: MIN, starvationMs: 3 * MIN };
    let waiting: WaitingMove[] = [move("old", "a1", "d2", { moveClass: "traffic", enqueuedAtMs: 0 })];
    let inFlight: RunningMigration[] = [];
    let startedAt: number | undefined;
    for (let round = 0; round < 20 && startedAt === undefined; round++) {
      const nowMs = round * MIN;
      inFlight = [];
      // Bigger than the old move, so within one rank longest-first would always pick them.
      waiting = [...waiting, move(`new${round}`, "a1", round % 2 ? "b1" : "c1", { enqueuedAtMs: nowMs, memMiB: 65_536 })];
      const r = schedule({ nowMs, nodes, running: inFlight, waiting, options: opts });
      if (r.starts.some((s) => s.moveId === "old")) startedAt = round;
      const started = new Set(r.starts.map((s) => s.moveId));
      waiting = waiting.filter((m) => !started.has(m.id));
    }
    expect(startedAt).toBeDefined();
    expect(startedAt).toBe(2);
  });

  it("a starving move takes a shared path rather than leave its rank's last slot to a newer move on a free one", () => {
    const r = run(
      [move("old", "a1", "c1", { moveClass: "traffic", enqueuedAtMs: -60 * MIN }), move("fresh", "d1", "d2", { moveClass: "drain" })],
      { running: [running("r1", "a1", "b1")], options: { limits: { perCluster: 2 }, agingStepMs: MIN, starvationMs: 3 * MIN } },
    );
    expect(startedIds(r)).toEqual(["old"]);
    expect(r.starts[0]).toMatchObject({ shareMbps: 5000, bottleneck: "host:a1:up" });
    expect(reasonOf(r, "fresh")).toBe("cluster-limit");
  });

  it("a starving move blocked on a node holds it against lower-ranked moves", () => {
    const r = run(
      [move("old", "a1", "b1", { moveClass: "traffic", enqueuedAtMs: -60 * MIN }), move("fresh", "c1", "b1", { moveClass: "balance" })],
      { running: [running("r1", "a1", "c2"), running("r2", "a1", "d1")], options: { agingStepMs: MIN, starvationMs: 3 * MIN } },
    );
    expect(reasonOf(r, "old")).toBe("outbound-limit");
    expect(reasonOf(r, "fresh")).toBe("ordering");
  });
});
