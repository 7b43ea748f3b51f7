import { z } from "zod";
import { HOST_STATES } from "../model/host";

/**
 * The `place solve` problem file. Shape only: semantic checks (unknown ids, matrix shape, capacities) happen in
 * the library, which names the offending field the same way.
 */
const amount = z.number().finite().nonnegative();
const id = z.string().min(1);

const host = z.object({
  id,
  cpu: amount,
  memMiB: amount,
  state: z.enum(HOST_STATES).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  hypervisor: z.string().optional(),
  resources: z.record(z.string(), amount).optional(),
  powerIdleW: amount.optional(),
  powerMaxW: amount.optional(),
});

const vm = z.object({
  id,
  cpu: amount,
  memMiB: amount,
  hypervisor: z.string().optional(),
  resources: z.record(z.string(), amount).optional(),
});

const positive = z.number().int().positive();

export const topologySpecSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("labels"), rackLabel: z.string().optional(), podLabel: z.string().optional(), costs: z.tuple([amount, amount, amount]).optional() }),
  z.object({ kind: z.literal("tree"), fanout: z.array(positive).min(1) }),
  z.object({ kind: z.literal("three-tier"), hostsPerRack: positive, racksPerPod: positive, pods: positive }),
  z.object({ kind: z.literal("fat-tree"), k: positive }),
  z.object({ kind: z.literal("vl2"), dA: positive, dI: positive, hostsPerTor: positive }),
  z.object({ kind: z.literal("bcube"), n: positive, k: z.number().int().nonnegative() }),
  z.object({ kind: z.literal("leaf-spine"), leaves: positive, hostsPerLeaf: positive, pods: positive.optional() }),
]);

export const problemFileSchema = z
  .object({
    hosts: z.array(host).min(1),
    vms: z.array(vm),
    hostDistance: z.array(z.array(z.number().finite().nonnegative())).optional(),
    topology: topologySpecSchema.optional(),
    traffic: z.array(z.tuple([id, id, amount])).optional(),
    current: z.record(z.string(), z.string()).optional(),
    maxMigrations: z.number().int().nonnegative().optional(),
    maxMemoryMovedMiB: amount.optional(),
    groups: z.array(z.object({ id, policy: z.enum(["affinity", "anti-affinity"]), vmIds: z.array(id) })).optional(),
    weights: z.object({ traffic: amount, migration: amount, balance: amount, energy: amount }).partial().optional(),
  })
  .refine((p) => !(p.hostDistance && p.topology), { message: "give either hostDistance or topology, not both", path: ["topology"] });

export type ProblemFile = z.infer<typeof problemFileSchema>;
