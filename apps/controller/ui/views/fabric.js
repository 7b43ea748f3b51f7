import { Chart, trafficHeatmap } from "../charts.js";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, loadColour, namesOf, pct } from "../format.js";

/** pod → rack → nodes, from the nodes' topology labels. */
function topology(nodes) {
  const pods = new Map();
  for (const n of nodes) {
    const pod = n.labels.pod ?? "(no pod)";
    const rack = n.labels.rack ?? "(no rack)";
    if (!pods.has(pod)) pods.set(pod, new Map());
    const racks = pods.get(pod);
    if (!racks.has(rack)) racks.set(rack, []);
    racks.get(rack).push(n);
  }
  return [...pods.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function NodeCard({ node, vms }) {
  const load = node.load?.cpuLoad;
  return html`
    <div class="node-card" data-node=${node.name} style=${{ borderColor: loadColour(load), background: `color-mix(in srgb, ${loadColour(load)} 18%, white)` }}>
      <div class="node-name">${node.name} <${State} value=${node.state} /></div>
      <div>CPU ${pct(load)} · mem ${pct(node.load?.memLoad)}</div>
      <div>${node.load ? `${Math.round(node.load.watts)} W` : "no heartbeat yet"}</div>
      <div class="muted">${vms.length} VM${vms.length === 1 ? "" : "s"}: ${vms.map((v) => v.name).join(", ")}</div>
    </div>`;
}

export function Fabric() {
  const nodes = useLive("/api/v1/nodes", { query: { limit: 500 } }, { kinds: ["node"] });
  const vms = useLive("/api/v1/vms", { query: { limit: 500 } }, { kinds: ["vm", "migration"] });
  const traffic = useLive("/api/v1/traffic", { query: { limit: 1000 } }, { pollMs: 10_000 });
  const vmNames = namesOf(vms.data);
  const cells = (traffic.data?.items ?? []).flatMap((t) => {
    const a = vmNames.get(t.vmA) ?? t.vmA.slice(0, 8);
    const b = vmNames.get(t.vmB) ?? t.vmB.slice(0, 8);
    return [{ a, b, rateMbps: t.rateMbps }, { a: b, b: a, rateMbps: t.rateMbps }];
  });
  const names = [...new Set(cells.map((c) => c.a))].sort();
  const items = nodes.data?.items ?? [];
  const totalWatts = items.reduce((sum, n) => sum + (n.load?.watts ?? 0), 0);
  return html`
    <${Section} title="Fabric" error=${nodes.error ?? vms.error} loading=${!nodes.data || !vms.data}
      actions=${html`<span class="muted">${items.length} nodes · ${Math.round(totalWatts)} W in all</span>`}>
      <div class="pods">
        ${topology(items).map(
          ([pod, racks]) => html`
            <div class="pod"><h3>pod ${pod}</h3>
              <div class="racks">
                ${[...racks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(
                  ([rack, members]) => html`
                    <div class="rack"><h4>rack ${rack}</h4>
                      ${members.map((n) => html`<${NodeCard} node=${n} vms=${(vms.data?.items ?? []).filter((v) => v.nodeId === n.id)} />`)}
                    </div>`,
                )}
              </div>
            </div>`,
        )}
      </div>
      <h3>VM-to-VM traffic</h3>
      ${cells.length
        ? html`<${Chart} label="VM-to-VM traffic heat map" make=${trafficHeatmap(cells, names)} deps=${[JSON.stringify(cells)]} />`
        : html`<p class="muted">No traffic reported yet.</p>`}
    <//>`;
}
