import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamEvents, type ChangeEvent, type EventStreamOptions } from "@ferry/api-client";
import { TestController, registerNode, startController } from "./support/harness";

/** Subscribe, wait until the stream is open, run `act`, and collect events until `enough` says so. */
async function collect(
  c: TestController,
  options: EventStreamOptions,
  act: () => Promise<unknown>,
  enough: (seen: ChangeEvent[]) => boolean,
): Promise<ChangeEvent[]> {
  const abort = new AbortController();
  const seen: ChangeEvent[] = [];
  const timer = setTimeout(() => abort.abort(), 20_000);
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  const events = streamEvents({ baseUrl: c.url, token: c.config.adminToken }, { ...options, signal: abort.signal, onOpen: opened });
  const reading = (async () => {
    for await (const e of events) {
      seen.push(e);
      if (enough(seen)) break;
    }
  })();
  await open;
  await act();
  await reading;
  clearTimeout(timer);
  abort.abort();
  return seen;
}

describe("GET /api/v1/events", () => {
  let c: TestController;
  let a: string;
  let b: string;
  beforeAll(async () => {
    c = await startController();
    a = await registerNode(c, "node-a", { cpu: 8, memMiB: 16384 });
    b = await registerNode(c, "node-b", { cpu: 8, memMiB: 16384 });
  });
  afterAll(() => c.close());

  it("needs the token", async () => {
    await c.http().get("/api/v1/events").expect(401);
  });

  it("rejects an unknown kind and a malformed Last-Event-ID with 400", async () => {
    const kind = await c.admin().get("/api/v1/events?kinds=node,bogus").expect(400);
    expect(kind.body.details[0].field).toBe("kinds.1");
    const last = await c.admin().get("/api/v1/events").set("Last-Event-ID", "yesterday").expect(400);
    expect(last.body.details[0].field).toBe("Last-Event-ID");
  });

  it("sends a change once it has committed, filtered by kind and id", async () => {
    const seen = await collect(
      c,
      { kinds: ["node"], id: a },
      async () => {
        await c.admin().post(`/api/v1/nodes/${b}/cordon`).expect(200);
        await c.admin().post(`/api/v1/nodes/${a}/cordon`).expect(200);
      },
      (s) => s.some((e) => e.type === "cordon"),
    );
    const cordon = seen.find((e) => e.type === "cordon")!;
    expect(cordon).toMatchObject({ kind: "node", id: a, type: "cordon", data: { actor: "admin" } });
    expect(cordon.eventId).toMatch(/^\d+-\d+$/);
    expect(seen.every((e) => e.id === a)).toBe(true);
  });

  it("resumes after Last-Event-ID with only the later changes", async () => {
    const first = await collect(
      c,
      { kinds: ["node"] },
      () => c.admin().post(`/api/v1/nodes/${a}/uncordon`).expect(200),
      (s) => s.some((e) => e.type === "uncordon" && e.id === a),
    );
    const mark = first.find((e) => e.type === "uncordon")!.eventId!;
    await c.admin().post(`/api/v1/nodes/${b}/uncordon`).expect(200);
    await c.admin().post(`/api/v1/nodes/${a}/cordon`).expect(200);
    const resumed = await collect(c, { kinds: ["node"], lastEventId: mark }, async () => undefined, (s) => s.length >= 2);
    expect(resumed.map((e) => [e.id, e.type])).toEqual([
      [b, "uncordon"],
      [a, "cordon"],
    ]);
  });

  it("a refused change publishes nothing", async () => {
    const seen = await collect(
      c,
      { kinds: ["node"] },
      async () => {
        await c.admin().post(`/api/v1/nodes/not-a-uuid/cordon`).expect(400);
        await c.admin().post(`/api/v1/nodes/${b}/cordon`).expect(200);
      },
      (s) => s.some((e) => e.type === "cordon"),
    );
    expect(seen.map((e) => [e.id, e.type])).toEqual([[b, "cordon"]]);
  });
});
