import { Injectable } from "@nestjs/common";
import { nodeQueueName, type Heartbeat, type HeartbeatAnswer, type NodeState, type RegisterNode, type Workload } from "@ferry/protocol";
import { Inject } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CredentialsService } from "../auth/credentials.service";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound } from "../common/errors";
import { PageQuery, pageArgs, toPage } from "../common/pagination";
import { lockRow } from "../database/lock";
import { PrismaService } from "../database/prisma.service";
import { ChangeFeed } from "../events/change-feed";
import { Prisma, type Node } from "../generated/prisma/client";
import { allocations } from "./capacity";
import { HeartbeatBuffer } from "./heartbeat-buffer";
import { NodeAction, transition } from "./node-transitions";
import { nodeView } from "./node.view";
import { desiredPower } from "../power/power-decisions";
import { PowerService } from "../power/power.service";

@Injectable()
export class NodesService {
  /** Ids known to exist, so that a heartbeat costs no database read. Nodes are never deleted. */
  private readonly known = new Set<string>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly heartbeats: HeartbeatBuffer,
    private readonly power: PowerService,
    private readonly feed: ChangeFeed,
    private readonly credentials: CredentialsService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async list(query: PageQuery & { state?: NodeState }) {
    const rows = await this.prisma.node.findMany({
      where: { state: query.state },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      ...pageArgs(query),
    });
    const [alloc, latest] = await Promise.all([allocations(this.prisma, rows.map((r) => r.id)), this.heartbeats.latestAll()]);
    return toPage(rows, query, (n) => nodeView(n, { allocated: alloc.get(n.id) ?? { cpu: 0, memMiB: 0 }, latest: latest.get(n.id) }));
  }

  async get(id: string) {
    const node = await this.find(id);
    const [alloc, latest] = await Promise.all([allocations(this.prisma, [id]), this.heartbeats.latest(id)]);
    return nodeView(node, { allocated: alloc.get(id) ?? { cpu: 0, memMiB: 0 }, latest });
  }

  async find(id: string): Promise<Node> {
    const node = await this.prisma.node.findUnique({ where: { id } });
    if (!node) throw notFound("NodeNotFound", id);
    return node;
  }

  async act(id: string, action: NodeAction, actor: string) {
    const node = await this.prisma.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<Node[]>`SELECT * FROM "Node" WHERE id = ${id}::uuid FOR UPDATE`;
      if (!current) throw notFound("NodeNotFound", id);
      const t = transition(current.state, action);
      if (!t.ok) throw new FerryError("InvalidTransition", `node ${current.name}: ${t.reason}`, { state: current.state, action });
      if (!t.changed) return tx.node.findUniqueOrThrow({ where: { id } });
      const updated = await tx.node.update({ where: { id }, data: { state: t.to, stateReason: `${action} by ${actor}` } });
      await this.audit.record(tx, {
        actor,
        action: `node.${action}`,
        targetType: "node",
        targetId: id,
        details: { name: current.name, from: current.state, to: t.to },
      });
      return updated;
    });
    return this.get(node.id);
  }

  /**
   * An agent announces itself. Idempotent by name: a restarted agent gets its node back, with a new credential
   * of its own (returned this once; the node's previous credential stops working).
   */
  async register(input: RegisterNode) {
    const data = {
      labels: input.labels as Prisma.InputJsonValue,
      hypervisor: input.hypervisor === "bare-metal" ? ("bare_metal" as const) : ("hosted" as const),
      cpu: input.capacity.cpu,
      memMiB: input.capacity.memMiB,
      idleWatts: input.power.idleWatts,
      peakWatts: input.power.peakWatts,
      dataAddress: input.dataAddress ?? null,
    };
    const node = await this.prisma.$transaction(async (tx) => {
      // An upsert (INSERT ... ON CONFLICT): two agents registering one name at once both succeed, on one row.
      // The read only names the audit action; under that race both may be audited as "registered".
      const existing = await tx.node.findUnique({ where: { name: input.name }, select: { id: true } });
      const saved = await tx.node.upsert({ where: { name: input.name }, create: { name: input.name, ...data }, update: data });
      await lockRow(tx, "Node", saved.id);
      const { secret: credential, replaced } = await this.credentials.issueAgent(tx, saved);
      await this.audit.record(tx, {
        actor: `agent:${input.name}`,
        action: existing ? "node.re-registered" : "node.registered",
        targetType: "node",
        targetId: saved.id,
        details: { labels: input.labels, capacity: input.capacity, power: input.power, hypervisor: input.hypervisor },
      });
      return { ...saved, credential, replaced };
    });
    await this.credentials.forget(node.replaced).catch(() => undefined);
    this.known.add(node.id);
    return { nodeId: node.id, queue: nodeQueueName(node.id), heartbeatIntervalMs: this.config.heartbeatIntervalMs, credential: node.credential };
  }

  /**
   * Record a heartbeat and answer with the power state the node should be in. A waking node whose agent
   * reports powered on is active from now on.
   */
  async heartbeat(id: string, sample: Heartbeat): Promise<HeartbeatAnswer> {
    if (!this.known.has(id)) {
      await this.find(id);
      this.known.add(id);
    }
    const { at, powerState } = await this.heartbeats.record(id, sample);
    if (powerState === "waking" && sample.power === "on") await this.power.wokeUp(id);
    const { vms, ...load } = sample;
    await this.feed.heartbeat(id, { ...load, vms: vms.length });
    return { at: at.toISOString(), power: desiredPower((powerState ?? "active") as NodeState) };
  }

  /** The VMs an agent hosts, with their workloads and traffic peers, so that a simulated agent can model their usage. */
  async hostedVms(id: string) {
    await this.find(id);
    const vms = await this.prisma.vm.findMany({
      where: { nodeId: id },
      select: {
        id: true,
        name: true,
        cpu: true,
        memMiB: true,
        dirtyRateMiBps: true,
        workload: true,
        trafficOut: { select: { vmBId: true, rateMbps: true, vmB: { select: { workload: true } } } },
        trafficIn: { select: { vmAId: true, rateMbps: true, vmA: { select: { workload: true } } } },
      },
      orderBy: { name: "asc" },
    });
    return {
      items: vms.map(({ trafficOut, trafficIn, workload, ...vm }) => ({
        ...vm,
        workload: workload as Workload,
        peers: [
          ...trafficOut.map((t) => ({ vmId: t.vmBId, rateMbps: t.rateMbps, workload: t.vmB.workload as Workload })),
          ...trafficIn.map((t) => ({ vmId: t.vmAId, rateMbps: t.rateMbps, workload: t.vmA.workload as Workload })),
        ],
      })),
    };
  }
}
