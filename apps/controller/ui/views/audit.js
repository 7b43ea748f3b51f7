import { useState } from "preact/hooks";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, dateTime } from "../format.js";

const PAGE = 50;

/** Newest first, a page at a time (GET /api/v1/audit with its cursor). */
export function Audit() {
  const [cursors, setCursors] = useState([]);
  const cursor = cursors[cursors.length - 1];
  const audit = useLive("/api/v1/audit", { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } }, { pollMs: 5000 });
  return html`
    <${Section} title="Audit log" error=${audit.error} loading=${!audit.data}
      actions=${html`<span>
        <button disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button disabled=${!audit.data?.nextCursor} onClick=${() => setCursors([...cursors, audit.data.nextCursor])}>Older</button>
      </span>`}>
      <table>
        <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th><th>Details</th></tr></thead>
        <tbody>
          ${(audit.data?.items ?? []).map(
            (a) => html`<tr>
              <td>${dateTime(a.at)}</td>
              <td>${a.actor}</td>
              <td>${a.action}</td>
              <td>${a.targetType}${a.targetId ? ` ${a.targetId.slice(0, 8)}` : ""}</td>
              <td><code class="details">${JSON.stringify(a.details)}</code></td>
            </tr>`,
          )}
        </tbody>
      </table>
    <//>`;
}
