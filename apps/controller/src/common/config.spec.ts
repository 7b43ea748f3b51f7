import { describe, expect, it } from "vitest";
import { loadControllerConfig } from "./config";

const token = "0123456789abcdef0123";

describe("loadControllerConfig", () => {
  it("has the documented defaults", () => {
    expect(loadControllerConfig({ FERRY_ADMIN_TOKEN: token })).toMatchObject({
      port: 3000,
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/ferry",
      redisUrl: "redis://127.0.0.1:6379",
      adminToken: token,
      agentBootstrapToken: token,
      rateLimit: { perSecond: 200, burst: 1_000 },
      migrationProgressTimeoutMs: 150_000,
      leaderLease: { durationMs: 15_000, renewMs: 5_000 },
    });
  });

  it("takes the agent bootstrap token from FERRY_AGENT_BOOTSTRAP_TOKEN, or its older name FERRY_AGENT_TOKEN", () => {
    const other = "fedcba9876543210fedc";
    expect(loadControllerConfig({ FERRY_ADMIN_TOKEN: token, FERRY_AGENT_BOOTSTRAP_TOKEN: other }).agentBootstrapToken).toBe(other);
    expect(loadControllerConfig({ FERRY_ADMIN_TOKEN: token, FERRY_AGENT_TOKEN: other }).agentBootstrapToken).toBe(other);
  });

  it.each([
    { name: "no admin token", env: {}, error: /FERRY_ADMIN_TOKEN/ },
    { name: "a short admin token", env: { FERRY_ADMIN_TOKEN: "short" }, error: /at least 16/ },
    { name: "a port out of range", env: { FERRY_ADMIN_TOKEN: token, PORT: "70000" }, error: /PORT/ },
    { name: "a database URL that is not a URL", env: { FERRY_ADMIN_TOKEN: token, DATABASE_URL: "ferry" }, error: /DATABASE_URL/ },
    {
      name: "a lease renewed no faster than it expires",
      env: { FERRY_ADMIN_TOKEN: token, FERRY_LEADER_LEASE_MS: "5000", FERRY_LEADER_RENEW_MS: "5000" },
      error: /FERRY_LEADER_RENEW_MS: must be shorter than FERRY_LEADER_LEASE_MS/,
    },
  ])("refuses $name", ({ env, error }) => {
    expect(() => loadControllerConfig(env)).toThrow(error);
  });
});
