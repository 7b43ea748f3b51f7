import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, startController } from "./support/harness";
import { redoclyLint } from "./support/redocly";

describe("OpenAPI at /docs", () => {
  let c: TestController;
  let doc: { paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: unknown; security?: unknown[] }>> };
  beforeAll(async () => {
    c = await startController();
    doc = (await c.http().get("/docs-json").expect(200)).body;
  });
  afterAll(() => c.close());

  it("serves the HTML docs", async () => {
    const res = await c.http().get("/docs").redirects(1).expect(200);
    expect(res.text).toContain("swagger");
  });

  it.each([
    ["get", "/api/v1/nodes"],
    ["post", "/api/v1/nodes/{id}/cordon"],
    ["post", "/api/v1/vms"],
    ["post", "/api/v1/traffic"],
    ["post", "/api/v1/migrations"],
    ["get", "/api/v1/migrations/{id}"],
    ["patch", "/api/v1/migrations/{id}"],
    ["post", "/api/v1/migrations/{id}/cancel"],
    ["get", "/api/v1/nodes/{id}/samples"],
    ["get", "/api/v1/vms/{id}/samples"],
  ])("documents %s %s", (method, path) => {
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it("documents request bodies and query parameters from the same schemas that validate them", () => {
    const body = doc.paths["/api/v1/migrations"]!.post!.requestBody as { content: Record<string, { schema: { required: string[] } }> };
    expect(body.content["application/json"]!.schema.required).toEqual(expect.arrayContaining(["vmId", "targetNodeId"]));
    expect(doc.paths["/api/v1/migrations"]!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(["limit", "cursor", "state", "vmId", "nodeId"]),
    );
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const problems = await redoclyLint(doc);
    expect(problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  }, 60_000);

  it("documents the error body on every 4xx answer and declares open routes open", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const operation = op as { summary?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        const errors = Object.entries(operation.responses).filter(([status]) => status.startsWith("4"));
        expect(errors.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [, answer] of errors) expect(answer.content?.["application/json"]?.schema.$ref).toBe("#/components/schemas/Error");
      }
    }
    expect(doc.paths["/health"]!.get!.security).toEqual([]);
    expect(doc.paths["/metrics"]!.get!.security).toEqual([]);
  });
});
