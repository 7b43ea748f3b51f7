import { z } from "zod";
import { MigrationError } from "./errors";
import { parseLocality } from "./workload/registry";
import type { LocalitySpec } from "./workload/locality";

/**
 * What a migration run is given: the VM and its workload, the link, the technique with its options, and the seed.
 * Every default is here, with where it comes from; QEMU and Xen figures are from ../shared/research/
 * migration-anchors.md and the projects' sources (qemu migration/options.c, xen xc_domain_save.c).
 */

const localityObjectSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("uniform") }),
  z.object({ kind: z.literal("hotset"), fraction: z.number().gt(0).max(1), share: z.number().min(0).max(1).default(0.9) }),
  z.object({ kind: z.literal("zipf"), exponent: z.number().min(0).max(5) }),
]);

/** A locality as an object, or in the command-line form ("uniform", "hotset:0.1", "zipf:0.99"). */
const localitySchema = z.union([z.string(), localityObjectSchema]).transform((value, ctx): LocalitySpec => {
  if (typeof value !== "string") return value;
  const parsed = parseLocality(value);
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed;
});

const powerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/** The page the workload's rates are counted in: x86's base page (TARGET_PAGE_SIZE). */
export const BASE_PAGE_BYTES = 4096;
/** Delta compression's size model is built for pages up to this size. */
export const MAX_DELTA_PAGE_BYTES = 65536;

export const workloadSchema = z.object({
  /**
   * Page-write rate: pages written per second times the page size. A write to a page that is already dirty adds
   * no new dirty data, so with locality the rate at which new dirty pages appear is lower.
   */
  dirtyMiBps: z.number().min(0),
  /** Page-touch rate of reads (what faults in post-copy, together with writes). Default: twice dirtyMiBps. */
  readMiBps: z.number().min(0).optional(),
  locality: localitySchema.default({ kind: "uniform" }),
  /** Bytes one page write changes (content model for delta compression). Default: one 64-byte cache line. */
  writeBytes: z.number().refine(powerOfTwo, "must be a power of two").default(64),
  /**
   * Fraction of its speed the VM loses while the source tracks and copies its memory (write-protection faults for
   * the dirty log, the copy thread's CPU and memory bandwidth). Default 0.05: an assumption, of the order of the
   * "under 8.54%" overhead Liu et al. (HPDC 2009) report.
   */
  contention: z.number().min(0).max(1).default(0.05),
  /** Useful work per second at full speed, in the application's own unit (requests, transactions...). */
  usefulWorkPerSec: z.number().gt(0).default(1000),
  /** Locality regions, in 4 KiB pages (see workload/locality.ts); a region is never smaller than one page. */
  regionPages: z.number().int().refine(powerOfTwo, "must be a power of two").default(64),
  /**
   * Fraction of the VM's pages that are all zero when the migration starts (never-touched or freed memory).
   * QEMU detects them and sends a header only; a write makes a page non-zero. Default 0: every page has data.
   */
  zeroPageFraction: z.number().min(0).max(1).default(0),
});

export const vmSchema = z.object({
  memMiB: z.number().gt(0).max(16 * 1024 * 1024),
  /**
   * The unit of dirty tracking and transfer: 4 KiB base pages, or huge pages (2 MiB, 1 GiB) when the guest's
   * memory is backed by them and dirtied at that granularity, so that one write dirties the whole huge page.
   */
  pageSizeBytes: z.number().refine(powerOfTwo, "must be a power of two").min(BASE_PAGE_BYTES).max(1 << 30).default(4096),
  /** CPU and device state sent at switchover (not RAM). Default 512 KiB: an assumption. */
  deviceStateKiB: z.number().min(0).default(512),
  workload: workloadSchema,
});

export const linkSchema = z.object({
  bandwidthMbps: z.number().gt(0),
  rttMs: z.number().min(0),
  /**
   * The most one migration stream carries (one sending thread copying pages into its socket), when that is below
   * the link's rate; multifd's channels each get this much. Default: no limit, one stream fills the link.
   */
  streamMbps: z.number().gt(0).optional(),
  shareSchedule: z.array(z.object({ atMs: z.number().min(0), share: z.number().gt(0).max(1) })).default([]),
});

const batchPages = z.number().int().min(1).max(1 << 24);

const multifdOptions = {
  /** Send pages over parallel channels (QEMU capability multifd, off by default); the device state stays on the main stream. */
  multifd: z.boolean().default(false),
  /** Channels when multifd is on (QEMU multifd-channels 2). */
  multifdChannels: z.number().int().min(1).max(256).default(2),
};

const preCopyOptions = {
  /** XBZRLE delta compression of re-sent pages (QEMU capability xbzrle, off by default). */
  delta: z.boolean().default(false),
  /** Hold back pages dirtied in consecutive rounds until the stop-and-copy. */
  hotBitmap: z.boolean().default(false),
  /** Throttle the guest when rounds stop converging (QEMU capability auto-converge, off by default). */
  autoConverge: z.boolean().default(false),
  /** Stop when the rest can be sent within this time (QEMU downtime-limit 300 ms). */
  downtimeLimitMs: z.number().gt(0).default(300),
  /** At most this many live rounds, then stop-and-copy (Xen DEF_MAX_ITERS 29: "30 times round loop"). */
  maxRounds: z.number().int().min(1).default(29),
  /** Stop when the bytes sent reach this multiple of memory (Xen DEF_MAX_FACTOR 3). */
  byteCapFactor: z.number().min(1).default(3),
  /** Stop after this many consecutive rounds in which at least as many pages were dirtied as sent. */
  noConvergenceRounds: z.number().int().min(1).default(3),
  /** XBZRLE cache (QEMU xbzrle-cache-size 64 MiB), rounded down to a power-of-two number of pages. */
  xbzrleCacheMiB: z.number().gt(0).default(64),
  /** Auto-converge: dirtied bytes above this percentage of sent bytes count as a miss (QEMU 50). */
  throttleTriggerPct: z.number().min(0).default(50),
  /** Auto-converge: first throttle (QEMU cpu-throttle-initial 20). */
  throttleInitialPct: z.number().min(1).max(99).default(20),
  /** Auto-converge: step after each further pair of misses (QEMU cpu-throttle-increment 10). */
  throttleIncrementPct: z.number().min(1).max(99).default(10),
  /** Auto-converge: ceiling (QEMU max-cpu-throttle 99). */
  throttleMaxPct: z.number().min(1).max(99).default(99),
  /** Pages per transport batch during rounds. */
  batchPages: batchPages.default(16384),
  ...multifdOptions,
};

const postCopyOptions = {
  /** Order of the background push: none (sequential), bubble (one pivot), multi-pivot (Hines & Gopalan 2009). */
  prepaging: z.enum(["none", "bubble", "multi-pivot"]).default("bubble"),
  /** Pages per push batch: a faulted page waits behind at most one batch (QEMU without postcopy-preempt). */
  pushBatchPages: batchPages.default(32),
  /** Multi-pivot: how many recent faults are expanded at once. */
  maxPivots: z.number().int().min(1).max(1024).default(8),
};

export const techniqueSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("non-live"), batchPages: batchPages.default(16384), ...multifdOptions }).strict(),
  z.object({ name: z.literal("pre-copy"), ...preCopyOptions }).strict(),
  z.object({ name: z.literal("post-copy"), ...postCopyOptions }).strict(),
  z
    .object({
      name: z.literal("hybrid"),
      ...preCopyOptions,
      ...postCopyOptions,
      /** Pre-copy rounds before the switch to post-copy (Sahni & Varma use one; two reveal a working set). */
      precopyRounds: z.number().int().min(1).default(2),
      /** Send the hot part of the remaining pages with the CPU state, within the downtime limit. */
      workingSetWithState: z.boolean().default(true),
    })
    .strict(),
]);

export const migrationInputSchema = z
  .object({
    vm: vmSchema,
    link: linkSchema,
    technique: techniqueSchema,
    seed: z.number().int().min(0).max(0xffffffff),
    /**
     * Page content: "modelled" tracks how many times each page was written and sizes deltas from a table built
     * with the real encoder (fast at any size); "bytes" keeps every page's bytes and runs the real encoder and
     * decoder (up to 1 GiB of memory).
     */
    content: z.enum(["modelled", "bytes"]).default("modelled"),
    /** Time to reserve CPU and memory on the target before anything moves. Default 100 ms: an assumption. */
    reservationMs: z.number().min(0).default(100),
  })
  .superRefine((input, ctx) => {
    if (input.content === "bytes" && input.vm.memMiB > 1024) {
      ctx.addIssue({ code: "custom", path: ["content"], message: "bytes content is limited to 1024 MiB of memory" });
    }
    const pages = (input.vm.memMiB * 1048576) / input.vm.pageSizeBytes;
    if (!Number.isInteger(pages)) {
      ctx.addIssue({ code: "custom", path: ["vm", "memMiB"], message: "must be a whole number of pages" });
    }
    if (input.vm.workload.writeBytes > input.vm.pageSizeBytes) {
      ctx.addIssue({ code: "custom", path: ["vm", "workload", "writeBytes"], message: "must not exceed the page size" });
    }
    const t = input.technique;
    if ((t.name === "pre-copy" || t.name === "hybrid") && t.delta) {
      // QEMU refuses the pair ("Multifd is not compatible with xbzrle").
      if (t.multifd) ctx.addIssue({ code: "custom", path: ["technique", "multifd"], message: "is not compatible with delta (xbzrle)" });
      if (input.vm.pageSizeBytes > MAX_DELTA_PAGE_BYTES) {
        ctx.addIssue({ code: "custom", path: ["technique", "delta"], message: `is modelled for pages up to ${MAX_DELTA_PAGE_BYTES} bytes` });
      }
    }
  });

export type MigrationInput = z.input<typeof migrationInputSchema>;
export type ResolvedInput = z.output<typeof migrationInputSchema>;
export type VmSpec = z.input<typeof vmSchema>;
export type ResolvedVm = z.output<typeof vmSchema>;
export type WorkloadSpec = z.input<typeof workloadSchema>;
export type LinkSpecInput = z.input<typeof linkSchema>;
export type TechniqueSpec = z.input<typeof techniqueSchema>;
export type ResolvedTechnique = z.output<typeof techniqueSchema>;
export type TechniqueName = ResolvedTechnique["name"];
export type PreCopyOptions = Extract<ResolvedTechnique, { name: "pre-copy" }>;
export type PostCopyOptions = Extract<ResolvedTechnique, { name: "post-copy" }>;
export type HybridOptions = Extract<ResolvedTechnique, { name: "hybrid" }>;
export type Prepaging = PostCopyOptions["prepaging"];

export const TECHNIQUE_NAMES: readonly TechniqueName[] = ["non-live", "pre-copy", "post-copy", "hybrid"];

/** Validates and fills in defaults; throws MigrationError("InvalidInput") naming every bad field. */
export function resolveInput(input: MigrationInput): ResolvedInput {
  return parseOrThrow(migrationInputSchema, input);
}

export function resolveVm(vm: VmSpec): ResolvedVm {
  return parseOrThrow(vmSchema, vm, "vm");
}

export function resolveTechnique(t: TechniqueSpec): ResolvedTechnique {
  return parseOrThrow(techniqueSchema, t, "technique");
}

export function resolveLink(link: LinkSpecInput): z.output<typeof linkSchema> {
  return parseOrThrow(linkSchema, link, "link");
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join(".") || "(input)",
    reason: i.message,
  }));
  throw new MigrationError("InvalidInput", problems.map((p) => `${p.field}: ${p.reason}`).join("; "), problems);
}

/** Pages per second of a MiB/s rate. */
export function mibpsToPagesPerMs(mibps: number, pageSizeBytes: number): number {
  return (mibps * 1048576) / pageSizeBytes / 1000;
}

/**
 * Page writes (and touches) per ms of a workload rate. Rates count writes to distinct 4 KiB pages, what a 4 KiB
 * dirty log sees, whatever the page size: a write lands in one page of the VM's size and dirties all of it, so
 * with 2 MiB pages the same writes dirty 512 times the memory (fewer writes repeat a page, though).
 */
export function writesPerMs(mibps: number): number {
  return mibpsToPagesPerMs(mibps, BASE_PAGE_BYTES);
}

/** Locality regions in pages of the VM's size: regionPages counts 4 KiB pages, and a region holds at least one page. */
export function regionPagesOf(vm: { readonly pageSizeBytes: number; readonly workload: { readonly regionPages: number } }): number {
  return Math.max(1, (vm.workload.regionPages * BASE_PAGE_BYTES) / vm.pageSizeBytes);
}

/** QEMU's per-page stream header: a be64 holding the page offset and flags. */
export const PAGE_HEADER_BYTES = 8;
/** A zero page on the main stream: the header with RAM_SAVE_FLAG_ZERO and one fill byte (ram.c save_zero_page). */
export const ZERO_PAGE_BYTES = PAGE_HEADER_BYTES + 1;
/** Multifd packet payload (MULTIFD_PACKET_SIZE, 512 KiB); at least one page. */
export const MULTIFD_PACKET_BYTES = 512 * 1024;
/**
 * Multifd packet header (MultiFDPacket_t without its offsets: magic, version, flags, pages_alloc, normal_pages,
 * next_packet_size, packet_num, zero_pages, reserved words and the 256-byte RAM block name); each page, zero or
 * not, then adds a be64 offset.
 */
export const MULTIFD_PACKET_HEADER_BYTES = 320;
/** Multifd channel handshake (MultiFDInit_t). */
export const MULTIFD_INIT_BYTES = 64;
/** XBZRLE page: the header plus an encoding byte and a be16 length before the encoded bytes. */
export const XBZRLE_EXTRA_BYTES = 3;
/** A post-copy page request on the return path (message header, start, length). */
export const PAGE_REQUEST_BYTES = 16;
/** One discard range (start, length) sent at the switch to post-copy. */
export const DISCARD_RANGE_BYTES = 16;
