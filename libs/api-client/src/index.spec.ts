import { describe, expect, it } from "vitest";
import { FerryApiError, createFerryClient, ok } from "./index";

/** A fetch that records the request and answers with a fixed response. */
function recording(status: number, body: unknown) {
  const seen: Request[] = [];
  const fetch = async (input: Request) => {
    seen.push(input);
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
  return { seen, fetch: fetch as unknown as typeof globalThis.fetch };
}

describe("createFerryClient", () => {
  it.each([
    ["http://ctl:3000", "http://ctl:3000/api/v1/nodes/abc"],
    ["http://ctl:3000/", "http://ctl:3000/api/v1/nodes/abc"],
  ])("sends the bearer token and actor to %s", async (baseUrl, url) => {
    const r = recording(200, { id: "abc" });
    const client = createFerryClient({ baseUrl, token: "t0ken", actor: "ops", fetch: r.fetch });
    await client.GET("/api/v1/nodes/{id}", { params: { path: { id: "abc" } } });
    expect(r.seen[0]!.url).toBe(url);
    expect(r.seen[0]!.headers.get("authorization")).toBe("Bearer t0ken");
    expect(r.seen[0]!.headers.get("x-ferry-actor")).toBe("ops");
  });
});

describe("ok", () => {
  it.each([
    [404, { statusCode: 404, error: "NodeNotFound", message: "node x does not exist" }, "NodeNotFound", "node x does not exist"],
    [502, "bad gateway", "HttpError", "HTTP 502"],
  ])("throws FerryApiError for %i", async (status, body, name, message) => {
    const client = createFerryClient({ baseUrl: "http://ctl", fetch: recording(status, body).fetch });
    const result = await client.GET("/api/v1/nodes/{id}", { params: { path: { id: "x" } } });
    expect(() => ok(result)).toThrow(FerryApiError);
    expect(() => ok(result)).toThrow(expect.objectContaining({ name, message, status }));
  });

  it("returns the data of a success", async () => {
    const client = createFerryClient({ baseUrl: "http://ctl", fetch: recording(200, { items: [], nextCursor: null }).fetch });
    expect(ok(await client.GET("/api/v1/vms"))).toEqual({ items: [], nextCursor: null });
  });
});
