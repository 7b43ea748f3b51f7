/**
 * How `npm start` runs the controller and each node agent, as recipes for the supervisor: a restart runs the
 * same command with the same environment, so the controller keeps its port, tokens and database, and an agent
 * its name, port and data directory (tcp mode: its guest images), and registers again with the bootstrap token.
 */
import { join } from "node:path";
import type { PartSpec } from "./supervisor";

export interface ClusterSettings {
  root: string;
  /** The controller's port; agent i (from 0) listens on port + 101 + i. */
  port: number;
  adminToken: string;
  /** Agents get only this token, which opens registration; the controller answers each with a credential of its own. */
  bootstrapToken: string;
  databaseUrl: string;
  redisUrl: string;
  /** Each part appends its output to `<logDir>/<name>.log`. */
  logDir: string;
  /** Agents keep their state (tcp mode: guest images) in `<dataDir>/<name>`. */
  dataDir: string;
  /** Added to every part's environment, over the inherited one. */
  env?: Record<string, string>;
}

export interface AgentRecipe {
  name: string;
  labels: string;
  /** The agent's own settings (FERRY_AGENT_MODE, FERRY_NODE_CPU, ...). */
  env?: Record<string, string>;
}

export const controllerUrl = (s: ClusterSettings) => `http://127.0.0.1:${s.port}`;

/** The environment of this shell, without the admin token: only the controller is handed it. */
function inherited(): NodeJS.ProcessEnv {
  const { FERRY_ADMIN_TOKEN: _, ...env } = process.env;
  return env;
}

async function answers(url: string, isReady: (body: { status?: string }) => boolean = () => true): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok && isReady((await res.json()) as { status?: string });
}

function part(s: ClusterSettings, name: string, entry: string, env: Record<string, string>, ready: () => Promise<boolean>): PartSpec {
  return {
    name,
    command: process.execPath,
    args: ["-r", "@swc-node/register", entry],
    cwd: s.root,
    env: { ...inherited(), REDIS_URL: s.redisUrl, FERRY_AGENT_BOOTSTRAP_TOKEN: s.bootstrapToken, LOG_LEVEL: process.env.LOG_LEVEL ?? "info", ...env, ...s.env },
    logFile: join(s.logDir, `${name}.log`),
    ready,
  };
}

/** The controller: up once its /health answers. */
export function controllerPart(s: ClusterSettings): PartSpec {
  const env = { FERRY_ADMIN_TOKEN: s.adminToken, PORT: String(s.port), HOST: process.env.HOST ?? "127.0.0.1", DATABASE_URL: s.databaseUrl };
  return part(s, "controller", "apps/controller/src/main.ts", env, () => answers(`${controllerUrl(s)}/health`));
}

/** The agent at `index`: up once its /health says it has registered with the controller. */
export function agentPart(s: ClusterSettings, agent: AgentRecipe, index: number): PartSpec {
  const port = s.port + 101 + index;
  const env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    FERRY_CONTROLLER_URL: controllerUrl(s),
    FERRY_NODE_NAME: agent.name,
    FERRY_NODE_LABELS: agent.labels,
    FERRY_AGENT_DATA_DIR: join(s.dataDir, agent.name),
    ...agent.env,
  };
  return part(s, agent.name, "apps/node-agent/src/main.ts", env, () => answers(`http://127.0.0.1:${port}/health`, (b) => b.status === "ok"));
}
