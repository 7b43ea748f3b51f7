import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFerryClient, FerryApiError, ok } from "@ferry/api-client";
import { API_TYPES_FILE, renderApiTypes } from "../../../scripts/api-generate";
import { TestController, startController } from "./support/harness";

describe("libs/api-client", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController();
  });
  afterAll(() => c.close());

  it("holds the types of the API document as it is now (run `npm run api:generate` after an API change)", async () => {
    expect(readFileSync(API_TYPES_FILE, "utf8") === (await renderApiTypes(c.app))).toBe(true);
  });

  it("talks to a real controller", async () => {
    const client = createFerryClient({ baseUrl: c.url, token: c.config.adminToken });
    expect(ok(await client.GET("/api/v1/nodes"))).toEqual({ items: [], nextCursor: null });
    const refused = createFerryClient({ baseUrl: c.url, token: "not-the-token" });
    await expect(refused.GET("/api/v1/nodes").then(ok)).rejects.toThrow(FerryApiError);
  });
});
