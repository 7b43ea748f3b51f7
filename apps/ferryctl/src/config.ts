import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";

export interface Context {
  url: string;
  token?: string;
}

export interface ConfigFile {
  currentContext?: string;
  contexts: Record<string, Context>;
}

export class UsageError extends Error {}

export function configPath(env: NodeJS.ProcessEnv): string {
  return env.FERRY_CONFIG ?? join(homedir(), ".ferry", "config.yaml");
}

export function readConfig(env: NodeJS.ProcessEnv): ConfigFile {
  const path = configPath(env);
  if (!existsSync(path)) return { contexts: {} };
  const parsed = YAML.parse(readFileSync(path, "utf8")) as Partial<ConfigFile> | null;
  return { ...(parsed?.currentContext ? { currentContext: parsed.currentContext } : {}), contexts: parsed?.contexts ?? {} };
}

export function writeConfig(env: NodeJS.ProcessEnv, config: ConfigFile): void {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true });
  // The file holds tokens: readable by its owner only.
  writeFileSync(path, YAML.stringify(config), { mode: 0o600 });
}

/** Where to talk to and with which token: FERRY_URL / FERRY_TOKEN win over the config file's current context. */
export function resolveTarget(env: NodeJS.ProcessEnv, contextName?: string): Context {
  const config = readConfig(env);
  const name = contextName ?? config.currentContext;
  const context = name ? config.contexts[name] : undefined;
  if (name && !context && contextName) throw new UsageError(`no context named ${name} in ${configPath(env)}`);
  const url = env.FERRY_URL ?? context?.url;
  const token = env.FERRY_TOKEN ?? context?.token;
  if (!url) throw new UsageError(`no controller: set FERRY_URL (and FERRY_TOKEN), or add a context with 'ferryctl config set-context'`);
  return { url, ...(token ? { token } : {}) };
}
