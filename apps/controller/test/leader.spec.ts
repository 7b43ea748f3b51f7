import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asLeader } from "../src/leader/fencing";
import { LeaderTerm, LeadershipLost, claimLease, releaseLease } from "../src/leader/lease";
import { LeaderService } from "../src/leader/leader.service";
import { TestController, eventually, registerNode, startController } from "./support/harness";

const HOUR = 3_600_000;

/**
 * The lease and its fence on one controller: other replicas are played by calling claimLease with their own
 * holder names and clock readings. The controller's lease lasts an hour and renews every minute, so its own
 * timer never claims during the test; it claims only when the test says so (claimNow).
 */
describe("leader lease and fencing", () => {
  let c: TestController;
  let leader: LeaderService;
  let start: number;

  beforeAll(async () => {
    c = await startController({
      leaderLease: { durationMs: HOUR, renewMs: 60_000 },
      heartbeatTimeoutMs: 300,
      reconcileIntervalMs: 100,
    });
    leader = c.app.get(LeaderService);
    start = Date.now();
  });
  afterAll(() => c.close());

  const auditRows = () => c.prisma.auditLog.count({ where: { actor: "test:fence" } });
  const write = () => c.prisma.$transaction((tx) => tx.auditLog.create({ data: { actor: "test:fence", action: "test.write", targetType: "test" } }));

  it("a lone controller leads at once, at epoch 1, and says so in /metrics", async () => {
    expect(leader.isLeader()).toBe(true);
    expect(leader.fencingToken()).toBe(1);
    const metrics = await c.http().get("/metrics").expect(200);
    expect(metrics.text).toMatch(/^ferry_leader 1$/m);
  });

  it("claims: a live lease of another holder is left alone, an expired one is taken over with a new epoch, a renewal keeps it", async () => {
    const me = leader.holder;
    // Each row is one claim, in order, by `who` at `atMs` after the controller's own claim (its lease ends at HOUR).
    const steps = [
      { name: "another replica while the lease is live", who: "b", atMs: 1_000, want: { holder: me, epoch: 1, mine: false } },
      { name: "another replica once it has expired", who: "b", atMs: HOUR + 1_000, want: { holder: "b", epoch: 2, mine: true } },
      { name: "the old leader, now live with b", who: me, atMs: HOUR + 2_000, want: { holder: "b", epoch: 2, mine: false } },
      { name: "b renewing", who: "b", atMs: HOUR + 3_000, want: { holder: "b", epoch: 2, mine: true } },
      { name: "b renewing after its lease lapsed, nobody having taken it", who: "b", atMs: 5 * HOUR, want: { holder: "b", epoch: 2, mine: true } },
      { name: "a third replica once b's lease expired", who: "c", atMs: 7 * HOUR, want: { holder: "c", epoch: 3, mine: true } },
    ];
    for (const s of steps) {
      const lease = await claimLease(c.prisma, s.who, start + s.atMs, HOUR);
      expect({ holder: lease.term.holder, epoch: lease.term.epoch, mine: lease.mine }, s.name).toEqual(s.want);
    }
    const row = await c.prisma.lease.findUniqueOrThrow({ where: { name: "controller" } });
    expect(row).toMatchObject({ holder: "c", epoch: 3 });
    expect(row.expiresAt.getTime()).toBe(start + 8 * HOUR);
  });

  it("a deposed leader's writes are refused and its loops write nothing, until it leads again", async () => {
    // The controller still believes in epoch 1 (its lease has an hour to run by its clock); the row says epoch 3.
    expect(leader.fencingToken()).toBe(1);
    const deposed = leader.term()!;
    await expect(asLeader(deposed, write)).rejects.toThrow(LeadershipLost);
    await expect(asLeader(deposed, write)).rejects.toThrow(/lease is at epoch 3 of c; this write ran under epoch 1/);
    await expect(c.prisma.$transaction(async (tx) => {
      await leader.fence(tx);
      await tx.auditLog.create({ data: { actor: "test:fence", action: "test.write", targetType: "test" } });
    })).rejects.toThrow(LeadershipLost);
    expect(await auditRows()).toBe(0);

    // Its liveness loop keeps ticking under epoch 1: a node that never beats is not failed by it.
    const silent = await registerNode(c, "silent");
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await c.prisma.node.findUniqueOrThrow({ where: { id: silent } })).state).toBe("active");

    // c hands the lease over; the controller claims it (epoch 4) and its loop fails the node.
    await releaseLease(c.prisma, { holder: "c", epoch: 3, expiresAt: new Date(start + 8 * HOUR) }, Date.now());
    await leader.claimNow();
    expect(leader.fencingToken()).toBe(4);
    await eventually(async () => ((await c.prisma.node.findUniqueOrThrow({ where: { id: silent } })).state === "failed" ? true : undefined), 5_000, "the silent node to fail");
    await asLeader(leader.term()!, write);
    expect(await auditRows()).toBe(1);
  });

  it("a takeover waits for a fenced transaction in flight, and the writes after it are refused", async () => {
    const term: LeaderTerm = leader.term()!;
    const order: string[] = [];
    let fenced!: () => void;
    const checked = new Promise<void>((r) => (fenced = r));
    const inFlight = asLeader(term, () =>
      c.prisma.$transaction(async (tx) => {
        fenced();
        await new Promise((r) => setTimeout(r, 300));
        await tx.auditLog.create({ data: { actor: "test:fence", action: "test.write", targetType: "test" } });
        order.push("fenced write");
      }),
    );
    await checked;
    const takeover = claimLease(c.prisma, "d", Date.now() + 2 * HOUR, HOUR).then((lease) => order.push(`taken over by ${lease.term.holder} at epoch ${lease.term.epoch}`));
    await Promise.all([inFlight, takeover]);
    expect(order).toEqual(["fenced write", "taken over by d at epoch 5"]);
    await expect(asLeader(term, write)).rejects.toThrow(LeadershipLost);
    expect(await auditRows()).toBe(2);
  });
});
