import { PageSet } from "../simulator/page-set";
import type { Prepaging } from "../spec";
import { createPushOrder } from "./prepaging";
import type { MigrationContext } from "./technique";
import { mainStreamFormat } from "./wire-format";

export interface PostCopyPhaseOptions {
  readonly prepaging: Prepaging;
  readonly pushBatchPages: number;
  readonly maxPivots: number;
}

export interface PostCopyPhaseResult {
  readonly pushedPages: number;
  readonly demandPages: number;
}

/** Progress is reported about this many times over the phase. */
const PROGRESS_STEPS = 100;

/**
 * The resume phase of post-copy and hybrid: the guest runs on the target while the source sends it the pages it
 * lacks. Before each push batch the source takes the page requests that have arrived (demand paging: the target
 * faulted on them) and sends the ones not yet sent first, on their own; the rest of the batch comes from the
 * pre-paging order. A requested page therefore waits for at most the batch already on the wire, then its own
 * transfer time. A page is sent once: demand pages and pushed pages are both marked in `sent`, and everything
 * else skips them.
 */
export async function runPostCopyPhase(
  ctx: MigrationContext,
  o: PostCopyPhaseOptions,
  missing: PageSet,
): Promise<PostCopyPhaseResult> {
  const { source, transport, clock, recorder } = ctx;
  // Post-copy's pages go on the main stream (QEMU's postcopy does not use multifd's channels).
  const wire = mainStreamFormat(source.pageSizeBytes);
  const zero = source.zeroPages;
  const zeroIn = (pages: Uint32Array) => {
    let z = 0;
    if (zero) for (const page of pages) if (zero.has(page)) z++;
    return z;
  };
  let bytesSent = 0;
  const send = async (pages: Uint32Array) => {
    const wireBytes = wire.batchBytes(pages.length, zeroIn(pages));
    bytesSent += wireBytes;
    await transport.sendPages({ kind: "list", pages, pageCount: pages.length, wireBytes });
  };
  const sent = PageSet.full(source.pageCount);
  sent.subtract(missing);
  const total = missing.count();
  let remaining = total;
  const order = createPushOrder(o.prepaging, source.pageCount, o.maxPivots);
  const batch = new Uint32Array(o.pushBatchPages);
  const queued: number[] = [];
  let queuedAt = 0;
  let demandPages = 0;
  const startMs = clock.now();
  const requestsAtStart = transport.stats().pageRequests;
  const progressEvery = Math.max(1, Math.floor(total / PROGRESS_STEPS));
  let nextProgress = total - progressEvery;
  while (remaining > 0) {
    for (const page of transport.takePageRequests()) {
      order.onFault(page);
      if (!sent.has(page)) queued.push(page);
    }
    let n = 0;
    while (n < batch.length && queuedAt < queued.length) {
      const page = queued[queuedAt++];
      if (sent.has(page)) continue;
      sent.add(page);
      batch[n++] = page;
    }
    if (queuedAt === queued.length) {
      queued.length = 0;
      queuedAt = 0;
    }
    if (n > 0) {
      // Requested pages go out on their own, ahead of the push, so each arrives after its own transfer time.
      await send(batch.subarray(0, n));
      demandPages += n;
      remaining -= n;
    }
    const pushed = order.fill(sent, batch, 0, batch.length - n);
    remaining -= pushed;
    if (pushed > 0) await send(batch.subarray(0, pushed));
    if (remaining <= nextProgress || remaining === 0) {
      nextProgress = remaining - progressEvery;
      const stats = transport.stats();
      const elapsed = clock.now() - startMs;
      recorder.progress({
        phase: "post-copy",
        simTimeMs: clock.now(),
        bytesSent: stats.bytesSent,
        pagesSent: stats.pagesSent,
        pagesRemaining: remaining,
        etaMs: elapsed > 0 ? (remaining * elapsed) / (total - remaining) + transport.rttMs() / 2 : Infinity,
      });
    }
  }
  await transport.flush();
  const stats = transport.stats();
  recorder.addEntry({
    phase: "post-copy",
    startMs,
    endMs: clock.now(),
    pagesSent: total,
    bytesSent,
    remainingPages: 0,
    networkFaults: stats.pageRequests - requestsAtStart,
  });
  return { pushedPages: total - demandPages, demandPages };
}
