import { html } from "./html.js";

export const pct = (fraction) => (fraction == null ? "–" : `${Math.round(fraction * 100)}%`);

export function duration(ms) {
  if (ms == null) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "–");
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString() : "–");

/** id → name, for the rows that carry only ids. */
export const namesOf = (page) => new Map((page?.items ?? []).map((x) => [x.id, x.name]));

/** Green at idle, through yellow, to red at full load. */
export const loadColour = (fraction) => `hsl(${Math.round(120 * (1 - Math.min(1, Math.max(0, fraction ?? 0))))} 65% 45%)`;

export const State = ({ value }) => html`<span class="state state-${value}">${value}</span>`;

/** A view's frame: its title, what failed last (kept beside the data), and the content once loaded. */
export function Section({ title, error, loading, children, actions }) {
  return html`
    <section>
      <div class="section-head"><h2>${title}</h2>${actions}</div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${loading ? html`<p class="muted">Loading…</p>` : children}
    </section>`;
}
