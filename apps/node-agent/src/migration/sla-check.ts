import type { MigrationMetrics, Sla, SlaBreachReport } from "@ferry/protocol";

/** The SLA limits a finished migration went over: downtime, total migration time, or both. */
export function slaBreaches(metrics: MigrationMetrics, sla: Sla): SlaBreachReport[] {
  const breaches: SlaBreachReport[] = [];
  if (sla.maxDowntimeMs !== null && metrics.downtimeMs > sla.maxDowntimeMs) {
    breaches.push({ kind: "downtime", limitMs: sla.maxDowntimeMs, actualMs: metrics.downtimeMs });
  }
  if (sla.maxTotalMs !== null && metrics.totalMs > sla.maxTotalMs) {
    breaches.push({ kind: "total-time", limitMs: sla.maxTotalMs, actualMs: metrics.totalMs });
  }
  return breaches;
}
