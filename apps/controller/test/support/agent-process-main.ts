import "reflect-metadata";
import { createHash } from "node:crypto";
import { createAgent } from "../../../node-agent/src/app.factory";
import { loadAgentConfig } from "../../../node-agent/src/common/config";
import { GUEST_PAGE_BYTES } from "../../../node-agent/src/guest/guest-image";
import { GuestPlane } from "../../../node-agent/src/guest/guest-plane";
import type { AgentRequest, GuestSnapshot } from "./agent-process";

/**
 * A node agent as its own process (started by agent-process.ts, e.g. inside a network namespace): the agent of
 * main.ts, plus answers over the IPC channel to what a test cannot see from outside, its guests. A request may
 * first have the guest's own workload make writes at once (a guest that has filled its memory).
 */
async function main(): Promise<void> {
  const config = loadAgentConfig();
  const app = await createAgent(config);
  await app.listen(config.port, config.host);
  process.on("message", (req: AgentRequest) => {
    const plane = app.get(GuestPlane);
    if (req.writes) plane.guests.get(req.vmId)?.workload.writeNow(req.writes);
    process.send!({ id: req.id, guest: snapshot(plane, req.vmId) });
  });
  process.on("disconnect", () => void app.close().then(() => process.exit(0)));
}

/**
 * The guest's workload state and the digest of its image taken together, in one synchronous read: the workload
 * writes only between event-loop turns, so the image is exactly the one its state describes.
 */
function snapshot(plane: GuestPlane, vmId: string): GuestSnapshot | null {
  const guest = plane.guests.get(vmId);
  if (!guest) return null;
  const bytes = Buffer.allocUnsafe(guest.image.byteLength);
  const pages = Array.from({ length: guest.image.pageCount }, (_, p) => bytes.subarray(p * GUEST_PAGE_BYTES, (p + 1) * GUEST_PAGE_BYTES));
  // readv takes at most IOV_MAX (1024) buffers at a time.
  for (let first = 0; first < pages.length; first += 1024) guest.image.readPages(first, pages.slice(first, first + 1024));
  return { ...guest.workload.state, digest: createHash("sha256").update(bytes).digest("hex") };
}

main().catch((e: unknown) => {
  console.error(`agent process: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
