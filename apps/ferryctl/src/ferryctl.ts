import { Command, CommanderError, Option } from "commander";
import YAML from "yaml";
import {
  FerryApiError,
  createFerryClient,
  ok,
  streamEvents,
  type ChangeEvent,
  type ChangeKind,
  type FerryClient,
  type MigrationDetail,
  type Node,
  type Plan,
  type Policy,
  type Token,
  type Vm,
} from "@ferry/api-client";
import { UsageError, configPath, readConfig, resolveTarget, writeConfig, type Context } from "./config";
import { FORMATS, age, bar, duration, render, type Column, type Format } from "./output";
import { completionScript } from "./completion";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Redraw the progress bar in place (a terminal), or print a line per change of phase. */
  tty: boolean;
  /** Ends --watch and `events` (Ctrl-C does in a terminal). */
  signal?: AbortSignal;
}

type Migration = MigrationDetail;
const KINDS = ["nodes", "vms", "migrations", "plans", "policies"] as const;
type Kind = (typeof KINDS)[number];
const SINGULAR: Record<string, Kind> = { node: "nodes", vm: "vms", migration: "migrations", plan: "plans", policy: "policies" };
const CHANGE_KIND: Record<Kind, ChangeKind[]> = {
  nodes: ["node"],
  vms: ["vm", "migration"],
  migrations: ["migration"],
  plans: ["plan"],
  policies: ["policy"],
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIX = ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation"] as const;

function kindOf(word: string): Kind {
  const kind = (KINDS as readonly string[]).includes(word) ? (word as Kind) : SINGULAR[word];
  if (!kind) throw new UsageError(`unknown kind '${word}': one of ${KINDS.join(", ")}`);
  return kind;
}

/** Every item of a paged list. */
async function all<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    items.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

class Api {
  constructor(
    readonly client: FerryClient,
    readonly target: Context,
  ) {}

  nodes = () => all((cursor) => this.client.GET("/api/v1/nodes", { params: { query: { limit: 500, cursor } } }).then(ok));
  vms = () => all((cursor) => this.client.GET("/api/v1/vms", { params: { query: { limit: 500, cursor } } }).then(ok));
  migrations = () => all((cursor) => this.client.GET("/api/v1/migrations", { params: { query: { limit: 500, cursor } } }).then(ok));
  plans = () => all((cursor) => this.client.GET("/api/v1/plans", { params: { query: { limit: 500, cursor } } }).then(ok));
  policies = async () => ok(await this.client.GET("/api/v1/policies")).items;

  /** A node or VM by id or by name. */
  async node(ref: string): Promise<Node> {
    if (UUID.test(ref)) return ok(await this.client.GET("/api/v1/nodes/{id}", { params: { path: { id: ref } } }));
    const found = (await this.nodes()).find((n) => n.name === ref);
    if (!found) throw new FerryApiError(404, { statusCode: 404, error: "NodeNotFound", message: `node ${ref} does not exist` });
    return found;
  }

  async vm(ref: string): Promise<Vm> {
    if (UUID.test(ref)) return ok(await this.client.GET("/api/v1/vms/{id}", { params: { path: { id: ref } } }));
    const found = (await this.vms()).find((v) => v.name === ref);
    if (!found) throw new FerryApiError(404, { statusCode: 404, error: "VmNotFound", message: `vm ${ref} does not exist` });
    return found;
  }

  tokens = async () => ok(await this.client.GET("/api/v1/tokens")).items;

  /** An operator token by id, or by name among the unrevoked ones (where names are unique). */
  async token(ref: string): Promise<Token> {
    const found = (await this.tokens()).find((t) => (UUID.test(ref) ? t.id === ref : t.name === ref && !t.revokedAt));
    if (!found) throw new FerryApiError(404, { statusCode: 404, error: "TokenNotFound", message: `token ${ref} does not exist` });
    return found;
  }

  migration = async (id: string): Promise<Migration> => ok(await this.client.GET("/api/v1/migrations/{id}", { params: { path: { id } } }));
  plan = async (id: string) => ok(await this.client.GET("/api/v1/plans/{id}", { params: { path: { id } } }));
  policy = async (name: string) => ok(await this.client.GET("/api/v1/policies/{name}", { params: { path: { name } } }));

  events(kinds: ChangeKind[] | undefined, id?: string, signal?: AbortSignal): AsyncGenerator<ChangeEvent> {
    return streamEvents({ baseUrl: this.target.url, ...(this.target.token ? { token: this.target.token } : {}) }, { ...(kinds ? { kinds } : {}), ...(id ? { id } : {}), ...(signal ? { signal } : {}) });
  }
}

const nodeColumns: Column<Node>[] = [
  { header: "NAME", value: (n) => n.name },
  { header: "STATE", value: (n) => n.state },
  { header: "CPU", value: (n) => `${n.allocated?.cpu ?? 0}/${n.capacity.cpu}` },
  { header: "MEMORY(MiB)", value: (n) => `${n.allocated?.memMiB ?? 0}/${n.capacity.memMiB}` },
  { header: "LOAD", value: (n) => (n.load ? `${Math.round(n.load.cpuLoad * 100)}%` : null) },
  { header: "POD", value: (n) => n.labels.pod, wide: true },
  { header: "RACK", value: (n) => n.labels.rack, wide: true },
  { header: "HEARTBEAT", value: (n) => age(n.lastHeartbeatAt), wide: true },
  { header: "ID", value: (n) => n.id, wide: true },
];

function vmColumns(nodeNames: Map<string, string>): Column<Vm>[] {
  return [
    { header: "NAME", value: (v) => v.name },
    { header: "STATE", value: (v) => v.state },
    { header: "NODE", value: (v) => (v.nodeId ? (nodeNames.get(v.nodeId) ?? v.nodeId) : null) },
    { header: "CPU", value: (v) => v.cpu },
    { header: "MEMORY(MiB)", value: (v) => v.memMiB },
    { header: "DIRTY(MiB/s)", value: (v) => v.dirtyRateMiBps, wide: true },
    { header: "ID", value: (v) => v.id, wide: true },
  ];
}

function migrationColumns(names: Map<string, string>): Column<Migration>[] {
  const name = (id: string) => names.get(id) ?? id;
  return [
    { header: "ID", value: (m) => m.id },
    { header: "VM", value: (m) => name(m.vmId) },
    { header: "FROM", value: (m) => name(m.sourceNodeId) },
    { header: "TO", value: (m) => name(m.targetNodeId) },
    { header: "TECHNIQUE", value: (m) => m.technique },
    { header: "STATE", value: (m) => m.state },
    { header: "PROGRESS", value: (m) => `${Math.round(m.progress * 100)}%` },
    { header: "TOTAL", value: (m) => duration(m.metrics?.totalMs ?? null), wide: true },
    { header: "DOWNTIME", value: (m) => duration(m.metrics?.downtimeMs ?? null), wide: true },
    { header: "AGE", value: (m) => age(m.timestamps.requestedAt), wide: true },
  ];
}

const planColumns: Column<Plan>[] = [
  { header: "ID", value: (p) => p.id },
  { header: "KIND", value: (p) => p.kind },
  { header: "POLICY", value: (p) => p.policy },
  { header: "STATE", value: (p) => p.state },
  { header: "MOVES", value: (p) => p.steps.length },
  { header: "GAIN", value: (p) => `${p.gainPct.toFixed(1)}%` },
  { header: "COST", value: (p) => `${p.costBefore.toFixed(1)} -> ${p.costAfter.toFixed(1)}`, wide: true },
  { header: "CREATED BY", value: (p) => p.createdBy, wide: true },
  { header: "AGE", value: (p) => age(p.createdAt), wide: true },
];

const policyColumns: Column<Policy>[] = [
  { header: "NAME", value: (p) => p.name },
  { header: "MODE", value: (p) => p.mode },
  { header: "INTERVAL", value: (p) => `${p.intervalS}s` },
  { header: "LAST RUN", value: (p) => age(p.lastRunAt) },
  { header: "OUTCOME", value: (p) => (p.lastRun as { outcome?: string } | null)?.outcome, wide: true },
  { header: "DESCRIPTION", value: (p) => p.description, wide: true },
];

const tokenColumns: Column<Token>[] = [
  { header: "NAME", value: (t) => t.name },
  { header: "ROLE", value: (t) => t.role },
  { header: "STATE", value: (t) => (t.revokedAt ? "revoked" : "active") },
  { header: "AGE", value: (t) => age(t.createdAt) },
  { header: "CREATED BY", value: (t) => t.createdBy, wide: true },
  { header: "REVOKED", value: (t) => (t.revokedAt ? age(t.revokedAt) : null), wide: true },
  { header: "ID", value: (t) => t.id, wide: true },
];

async function listing(api: Api, kind: Kind, format: Format): Promise<string> {
  if (kind === "nodes") return render(await api.nodes(), nodeColumns, format);
  if (kind === "policies") return render(await api.policies(), policyColumns, format);
  if (kind === "plans") return render(await api.plans(), planColumns, format);
  const nodes = await api.nodes();
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  if (kind === "vms") return render(await api.vms(), vmColumns(names), format);
  for (const v of await api.vms()) names.set(v.id, v.name);
  return render((await api.migrations()) as Migration[], migrationColumns(names), format);
}

/** The migration's live line: bar, phase, ETA. */
function progressLine(m: Migration): string {
  const percent = m.live?.percent ?? m.progress * 100;
  const phase = m.live?.phase ?? m.state;
  const eta = m.live?.etaMs === null || m.live?.etaMs === undefined ? "" : `  ETA ${duration(m.live.etaMs)}`;
  return `${bar(percent)}  ${phase}${eta}${m.live?.stalled ? `  STALLED: ${m.live.stallReason ?? ""}` : ""}`;
}

function metricsTable(m: Migration): string {
  const rows = SIX.map((k) => ({ metric: k, measured: m.metrics?.[k] ?? null, predicted: m.prediction?.[k] ?? null }));
  const fmt = (k: string, v: number | null) => (v === null ? "-" : k.endsWith("Ms") ? duration(v) : k === "degradation" ? v.toFixed(3) : String(Math.round(v)));
  return render(rows, [
    { header: "METRIC", value: (r) => r.metric },
    { header: "MEASURED", value: (r) => fmt(r.metric, r.measured) },
    { header: "PREDICTED", value: (r) => fmt(r.metric, r.predicted) },
  ], "table");
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

/** Follow a migration to its end: redraw on each change event, and re-read every 2 s in case one was missed. */
async function follow(api: Api, io: Io, id: string): Promise<Migration> {
  const abort = new AbortController();
  let wake: () => void = () => undefined;
  const events = (async () => {
    try {
      for await (const _ of api.events(["migration"], id, abort.signal)) wake();
    } catch {
      // The stream is a speed-up; the 2 s re-read below is enough on its own.
    }
  })();
  let lastLine = "";
  try {
    for (;;) {
      const m = await api.migration(id);
      const line = progressLine(m);
      if (line !== lastLine) {
        if (io.tty) io.out(`\r\x1b[2K${line}`);
        else if (line.split("]")[1] !== lastLine.split("]")[1] || m.state !== "running") io.out(`${line}\n`);
        lastLine = line;
      }
      if (FINAL.has(m.state)) {
        if (io.tty) io.out("\n");
        return m;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 2_000);
      });
    }
  } finally {
    abort.abort();
    await events;
  }
}

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`-o must be one of ${FORMATS.join(", ")}`);
  return value as Format;
}

/** Run ferryctl with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  let api: Api | undefined;
  const program = new Command("ferryctl");
  const connect = () => {
    if (api) return api;
    const opts = program.opts<{ context?: string }>();
    const target = resolveTarget(io.env, opts.context);
    api = new Api(createFerryClient({ baseUrl: target.url, ...(target.token ? { token: target.token } : {}), actor: io.env.USER ?? "ferryctl" }), target);
    return api;
  };
  program
    .description("Ferry's command line: nodes, VMs, migrations, plans and policies")
    .option("--context <name>", "use this context of the config file instead of the current one")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError();

  const output = () => new Option("-o, --output <format>", `table, wide, json or yaml`).default("table").argParser(parseFormat);

  program
    .command("get")
    .description("List nodes, vms, migrations, plans or policies")
    .argument("<kind>", KINDS.join("|"))
    .addOption(output())
    .option("-w, --watch", "print the list again on each change (from the events stream) until interrupted")
    .action(async (word: string, opts: { output: Format; watch?: boolean }) => {
      const kind = kindOf(word);
      const a = connect();
      io.out(await listing(a, kind, opts.output));
      if (!opts.watch) return;
      for await (const _ of a.events(CHANGE_KIND[kind], undefined, io.signal)) io.out(`\n${await listing(a, kind, opts.output)}`);
    });

  program
    .command("describe")
    .description("Show one node, vm, migration, plan or policy in full (YAML)")
    .argument("<kind>", KINDS.join("|"))
    .argument("<ref>", "id, or name for nodes, vms and policies")
    .action(async (word: string, ref: string) => {
      const kind = kindOf(word);
      const a = connect();
      const value =
        kind === "nodes" ? await a.node(ref)
        : kind === "vms" ? await a.vm(ref)
        : kind === "migrations" ? await a.migration(ref)
        : kind === "plans" ? await a.plan(ref)
        : await a.policy(ref);
      io.out(YAML.stringify(value));
    });

  for (const [verb, description] of [
    ["cordon", "Stop placing VMs on a node"],
    ["uncordon", "Let VMs be placed on a node again"],
  ] as const) {
    program
      .command(verb)
      .description(description)
      .argument("<node>", "node name or id")
      .action(async (ref: string) => {
        const a = connect();
        const node = await a.node(ref);
        const path = verb === "cordon" ? "/api/v1/nodes/{id}/cordon" : "/api/v1/nodes/{id}/uncordon";
        const after = ok(await a.client.POST(path, { params: { path: { id: node.id } } }));
        io.out(`node/${after.name} ${after.state}\n`);
      });
  }

  program
    .command("drain")
    .description("Move every VM off a node and leave it in maintenance (a plan, applied at once)")
    .argument("<node>", "node name or id")
    .action(async (ref: string) => {
      const a = connect();
      const node = await a.node(ref);
      const plan = ok(await a.client.POST("/api/v1/nodes/{id}/drain", { params: { path: { id: node.id } } }));
      io.out(`node/${node.name} draining: plan ${plan.id} (${plan.steps.length} moves, ${plan.state})\n`);
    });

  program
    .command("migrate")
    .description("Live-migrate a VM to a node")
    .argument("<vm>", "VM name or id")
    .requiredOption("--to <node>", "target node name or id")
    .addOption(new Option("--technique <technique>", "how to migrate (default: the controller chooses)").choices(["non-live", "pre-copy", "post-copy", "hybrid"]))
    .option("--accept-sla-breach", "migrate even when the prediction breaks the VM's SLA")
    .option("--wait", "follow the migration with a progress bar, then show the six metrics beside their prediction")
    .action(async (ref: string, opts: { to: string; technique?: "non-live" | "pre-copy" | "post-copy" | "hybrid"; acceptSlaBreach?: boolean; wait?: boolean }) => {
      const a = connect();
      const [vm, node] = await Promise.all([a.vm(ref), a.node(opts.to)]);
      const m = ok(
        await a.client.POST("/api/v1/migrations", {
          body: { vmId: vm.id, targetNodeId: node.id, ...(opts.technique ? { technique: opts.technique } : {}), ...(opts.acceptSlaBreach ? { acceptSlaBreach: true } : {}) },
        }),
      );
      io.out(`migration ${m.id}: vm/${vm.name} -> node/${node.name} (${m.technique}, ${m.state})\n`);
      if (!opts.wait) return;
      const done = await follow(a, io, m.id);
      io.out(`migration ${done.id} ${done.state}${done.error ? `: ${done.error}` : ""}\n`);
      io.out(metricsTable(done));
      if (done.state !== "completed") throw new FerryApiError(409, { statusCode: 409, error: "MigrationNotCompleted", message: `migration ${done.id} ${done.state}` });
    });

  const migration = program.command("migration").description("Cancel a migration or change its bandwidth cap");
  migration
    .command("cancel")
    .description("Cancel a migration: before its agent starts it ends at once; while it runs, the agent stops before the switchover")
    .argument("<id>")
    .action(async (id: string) => {
      const m = ok(await connect().client.POST("/api/v1/migrations/{id}/cancel", { params: { path: { id } } }));
      io.out(`migration ${m.id} ${m.state}${m.state === "running" ? " (cancel asked: its agent stops before the switchover)" : ""}\n`);
    });
  migration
    .command("set-bandwidth")
    .description("Change the bandwidth cap of a migration that has not ended (the running agent follows)")
    .argument("<id>")
    .argument("<mbps>", "Mbit/s, or 'none' to lift the cap")
    .option("--accept-sla-breach", "change it even when the migration is predicted to break its VM's SLA at the new cap")
    .action(async (id: string, mbps: string, opts: { acceptSlaBreach?: boolean }) => {
      const cap = mbps === "none" ? null : Number(mbps);
      if (cap !== null && !(cap > 0)) throw new UsageError(`set-bandwidth: <mbps> must be a positive number of Mbit/s or 'none', got '${mbps}'`);
      const body = { bandwidthMbps: cap, ...(opts.acceptSlaBreach ? { acceptSlaBreach: true } : {}) };
      const m = ok(await connect().client.PATCH("/api/v1/migrations/{id}", { params: { path: { id } }, body }));
      io.out(`migration ${m.id} ${m.state}: bandwidth cap ${m.bandwidthMbps === null ? "none" : `${m.bandwidthMbps} Mbit/s`}\n`);
    });

  const plan = program.command("plan").description("Create, show, apply or cancel plans");
  plan
    .command("create")
    .description("Compute a traffic re-placement plan (nothing moves until it is applied)")
    .option("--max-migrations <n>", "at most this many moves", (v) => Number.parseInt(v, 10))
    .addOption(output())
    .action(async (opts: { maxMigrations?: number; output: Format }) => {
      const created = ok(await connect().client.POST("/api/v1/plans", { body: { kind: "traffic", ...(opts.maxMigrations ? { maxMigrations: opts.maxMigrations } : {}) } }));
      io.out(opts.output === "table" || opts.output === "wide" ? `plan ${created.id} ${created.state}: ${created.steps.length} moves, cost ${created.costBefore.toFixed(1)} -> ${created.costAfter.toFixed(1)}\n` : render([created], [], opts.output, true));
    });
  plan
    .command("show")
    .description("A plan's moves, cost before and after, and reasons")
    .argument("<id>")
    .addOption(output())
    .action(async (id: string, opts: { output: Format }) => {
      const p = await connect().plan(id);
      if (opts.output === "json" || opts.output === "yaml") return io.out(render([p], [], opts.output, true));
      io.out(`plan ${p.id}  ${p.kind}${p.policy ? ` (${p.policy})` : ""}  ${p.state}\ncost ${p.costBefore.toFixed(1)} -> ${p.costAfter.toFixed(1)} (${p.gainPct.toFixed(1)}% better), progress ${p.progress.percent.toFixed(0)}%\n\n`);
      io.out(render(p.steps, [
        { header: "#", value: (s) => s.index },
        { header: "VM", value: (s) => s.vm.name ?? s.vm.id },
        { header: "FROM", value: (s) => s.from.name ?? s.from.id },
        { header: "TO", value: (s) => s.to.name ?? s.to.id },
        { header: "TECHNIQUE", value: (s) => s.technique },
        { header: "STATE", value: (s) => s.state },
        { header: "REASON", value: (s) => s.reason },
      ], opts.output));
    });
  plan
    .command("apply")
    .description("Approve a proposed plan")
    .argument("<id>")
    .option("--accept-sla-breach", "apply even when a move is predicted to break a VM's SLA")
    .action(async (id: string, opts: { acceptSlaBreach?: boolean }) => {
      const p = ok(await connect().client.POST("/api/v1/plans/{id}/apply", { params: { path: { id } }, body: opts.acceptSlaBreach ? { acceptSlaBreach: true } : {} }));
      io.out(`plan ${p.id} ${p.state}\n`);
    });
  plan
    .command("cancel")
    .description("Stop a plan: pending moves are skipped, running migrations cancelled")
    .argument("<id>")
    .action(async (id: string) => {
      const p = ok(await connect().client.POST("/api/v1/plans/{id}/cancel", { params: { path: { id } } }));
      io.out(`plan ${p.id} ${p.state}\n`);
    });

  program
    .command("policy")
    .description("Change a policy")
    .command("set")
    .description("Set a policy's mode")
    .argument("<name>")
    .addOption(new Option("--mode <mode>", "off, dry-run, approve or auto").choices(["off", "dry-run", "approve", "auto"]).makeOptionMandatory())
    .action(async (name: string, opts: { mode: "off" | "dry-run" | "approve" | "auto" }) => {
      const p = ok(await connect().client.PATCH("/api/v1/policies/{name}", { params: { path: { name } }, body: { mode: opts.mode } }));
      io.out(`policy/${p.name} ${p.mode}\n`);
    });

  const token = program.command("token").description("Create, list or revoke operator tokens (admin only)");
  token
    .command("create")
    .description("Create an operator token; its secret is printed this once")
    .argument("<name>", "letters, digits, '.', '_', '@' and '-'")
    .addOption(new Option("--role <role>", "viewer, operator or admin").choices(["viewer", "operator", "admin"]).makeOptionMandatory())
    .action(async (name: string, opts: { role: "viewer" | "operator" | "admin" }) => {
      const created = ok(await connect().client.POST("/api/v1/tokens", { body: { name, role: opts.role } }));
      io.out(`token/${created.name} created (${created.role}, id ${created.id})\n${created.token}\nThis secret will not be shown again: store it now.\n`);
    });
  token
    .command("list")
    .description("List operator tokens, revoked ones included (never their secrets)")
    .addOption(output())
    .action(async (opts: { output: Format }) => {
      io.out(render(await connect().tokens(), tokenColumns, opts.output));
    });
  token
    .command("revoke")
    .description("Revoke an operator token: the controller refuses it from the next request on")
    .argument("<token>", "token id, or the name of an unrevoked token")
    .action(async (ref: string) => {
      const a = connect();
      const { id } = await a.token(ref);
      const revoked = ok(await a.client.DELETE("/api/v1/tokens/{id}", { params: { path: { id } } }));
      io.out(`token/${revoked.name} revoked\n`);
    });

  program
    .command("top")
    .description("Load, watts and traffic of each node, from its latest heartbeat")
    .argument("<kind>", "nodes")
    .action(async (word: string) => {
      if (kindOf(word) !== "nodes") throw new UsageError("top shows nodes only");
      const pct = (v: number | undefined) => (v === undefined ? null : `${Math.round(v * 100)}%`);
      io.out(render(await connect().nodes(), [
        { header: "NAME", value: (n) => n.name },
        { header: "CPU", value: (n) => pct(n.load?.cpuLoad) },
        { header: "MEMORY", value: (n) => pct(n.load?.memLoad) },
        { header: "WATTS", value: (n) => (n.load ? Math.round(n.load.watts) : null) },
        { header: "TX(Mbps)", value: (n) => (n.load ? n.load.netTxMbps.toFixed(1) : null) },
        { header: "RX(Mbps)", value: (n) => (n.load ? n.load.netRxMbps.toFixed(1) : null) },
      ], "table"));
    });

  program
    .command("events")
    .description("Print changes as they happen (one JSON line each) until interrupted")
    .option("--kinds <kinds>", "comma-separated: node, vm, migration, plan, policy")
    .option("--id <id>", "only changes of this object")
    .action(async (opts: { kinds?: string; id?: string }) => {
      const kinds = opts.kinds?.split(",").map((k) => k.trim()) as ChangeKind[] | undefined;
      for await (const e of connect().events(kinds, opts.id, io.signal)) io.out(`${JSON.stringify(e)}\n`);
    });

  const config = program.command("config").description("Contexts: which controller and token to use");
  config
    .command("set-context")
    .description("Add or change a context")
    .argument("<name>")
    .requiredOption("--url <url>", "the controller's address, e.g. http://localhost:3000")
    .option("--token <token>", "the bearer token")
    .action((name: string, opts: { url: string; token?: string }) => {
      const file = readConfig(io.env);
      file.contexts[name] = { url: opts.url, ...(opts.token ? { token: opts.token } : {}) };
      file.currentContext ??= name;
      writeConfig(io.env, file);
      io.out(`context ${name} saved in ${configPath(io.env)}\n`);
    });
  config
    .command("use-context")
    .description("Make a context the current one")
    .argument("<name>")
    .action((name: string) => {
      const file = readConfig(io.env);
      if (!file.contexts[name]) throw new UsageError(`no context named ${name} in ${configPath(io.env)}`);
      writeConfig(io.env, { ...file, currentContext: name });
      io.out(`current context: ${name}\n`);
    });
  config
    .command("get-contexts")
    .description("List the contexts")
    .action(() => {
      const file = readConfig(io.env);
      const rows = Object.entries(file.contexts).map(([name, c]) => ({ current: name === file.currentContext ? "*" : "", name, url: c.url }));
      io.out(render(rows, [{ header: "CURRENT", value: (r) => r.current }, { header: "NAME", value: (r) => r.name }, { header: "URL", value: (r) => r.url }], "table"));
    });

  program
    .command("completion")
    .description("Print a shell completion script: eval \"$(ferryctl completion bash)\"")
    .argument("<shell>", "bash or zsh")
    .action((shell: string) => {
      if (shell !== "bash" && shell !== "zsh") throw new UsageError("completion: bash or zsh");
      io.out(completionScript(program, shell));
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof FerryApiError) {
      io.err(`error: ${e.name} (${e.status}): ${e.message}\n`);
      return 1;
    }
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
    io.err(`error: ${e instanceof Error ? e.message : String(e)}${cause}\n`);
    return 1;
  }
}
