import type { LivePolicy } from "./live-policy";
import { balance } from "./definitions/balance";
import { consolidate } from "./definitions/consolidate";
import { evacuate } from "./definitions/evacuate";
import { slaNetwork } from "./definitions/sla-network";
import { starvation } from "./definitions/starvation";
import { traffic } from "./definitions/traffic";

/** The one list of live policies; the API, the runner and the defaults all read it. */
export const LIVE_POLICIES: readonly LivePolicy<any>[] = [evacuate, slaNetwork, starvation, balance, consolidate, traffic];

export function livePolicy(name: string): LivePolicy<any> | undefined {
  return LIVE_POLICIES.find((p) => p.name === name);
}
