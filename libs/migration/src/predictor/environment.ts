import type { LinkModel } from "../transport/link-model";
import { localityClasses } from "../workload/registry";
import type { LocalityClass } from "../workload/locality";
import { PAGE_HEADER_BYTES, regionPagesOf, type ResolvedVm, writesPerMs } from "../spec";

/**
 * The quantities every estimate is built from, in pages, bytes and milliseconds. The predictor takes the link's
 * share at time 0 as the share for the whole migration.
 */
export interface ModelEnvironment {
  readonly pageCount: number;
  readonly pageSizeBytes: number;
  /** Bytes of a full page on the main stream. */
  readonly pageWireBytes: number;
  readonly deviceStateBytes: number;
  /** Rate of the main stream. */
  readonly bytesPerMs: number;
  /** Rate of a transfer spread over `streams` streams (multifd). */
  readonly streamsBytesPerMs: (streams: number) => number;
  /** Fraction of pages that are zero when the migration starts. */
  readonly zeroPageFraction: number;
  readonly rttMs: number;
  readonly reservationMs: number;
  /** Page writes per ms at full speed. */
  readonly writesPerMs: number;
  /** Page touches (reads and writes) per ms at full speed, what faults in post-copy. */
  readonly touchesPerMs: number;
  readonly contention: number;
  readonly writeBytes: number;
  readonly regionPages: number;
  readonly classes: readonly LocalityClass[];
}

export function modelEnvironment(vm: ResolvedVm, link: LinkModel, reservationMs: number): ModelEnvironment {
  const w = vm.workload;
  const pageCount = (vm.memMiB * 1048576) / vm.pageSizeBytes;
  const readMiBps = w.readMiBps ?? 2 * w.dirtyMiBps;
  return {
    pageCount,
    pageSizeBytes: vm.pageSizeBytes,
    pageWireBytes: vm.pageSizeBytes + PAGE_HEADER_BYTES,
    deviceStateBytes: Math.round(vm.deviceStateKiB * 1024),
    bytesPerMs: link.rateAt(0),
    streamsBytesPerMs: (streams) => link.rateAt(0, streams),
    zeroPageFraction: w.zeroPageFraction,
    rttMs: link.rttMs,
    reservationMs,
    writesPerMs: writesPerMs(w.dirtyMiBps),
    touchesPerMs: writesPerMs(readMiBps + w.dirtyMiBps),
    contention: w.contention,
    writeBytes: w.writeBytes,
    regionPages: regionPagesOf(vm),
    classes: localityClasses(w.locality, pageCount, regionPagesOf(vm)),
  };
}

/**
 * Probability that a page of access probability p is written at least once while the guest runs `exposureMs`
 * full-speed milliseconds: 1 - exp(-writesPerMs * exposure * p). Summed over pages this is the expected dirty
 * set; for uniform memory and short rounds it is writesPerMs * exposure, the linear regime in which pre-copy's
 * rounds shrink geometrically.
 */
export function dirtyProbability(env: ModelEnvironment, p: number, exposureMs: number): number {
  return -Math.expm1(-env.writesPerMs * exposureMs * p);
}
