import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, token } from "./api.js";
import { html } from "./html.js";
import { Audit } from "./views/audit.js";
import { Fabric } from "./views/fabric.js";
import { Migrations } from "./views/migrations.js";
import { Nodes } from "./views/nodes.js";
import { Plans } from "./views/plans.js";
import { Policies } from "./views/policies.js";
import { Vms } from "./views/vms.js";

const VIEWS = [
  ["fabric", "Fabric", Fabric],
  ["nodes", "Nodes", Nodes],
  ["vms", "VMs", Vms],
  ["migrations", "Migrations", Migrations],
  ["plans", "Plans", Plans],
  ["policies", "Policies", Policies],
  ["audit", "Audit log", Audit],
];

const currentView = () => location.hash.replace(/^#\/?/, "") || "fabric";

function Login({ onLogin }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const value = new FormData(e.target).get("token").trim();
    try {
      await call("GET", "/api/v1/nodes", { params: { query: { limit: 1 } } }, value);
      token.set(value);
      onLogin();
    } catch (err) {
      setError(err.status === 401 ? `The token was refused: ${err.message}` : err.message);
    }
  };
  return html`
    <form class="login" onSubmit=${submit}>
      <h1>Ferry</h1>
      <p>Paste the admin token (<code>npm start</code> prints it). It is kept for this tab only.</p>
      <input name="token" type="password" autocomplete="off" placeholder="admin token" aria-label="admin token" required />
      <button type="submit">Log in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

function App() {
  const [authed, setAuthed] = useState(Boolean(token.get()));
  const [view, setView] = useState(currentView());
  useEffect(() => {
    const onHash = () => setView(currentView());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  if (!authed) return html`<${Login} onLogin=${() => setAuthed(true)} />`;
  const logout = () => (token.clear(), setAuthed(false));
  const [, , View] = VIEWS.find(([id]) => id === view) ?? VIEWS[0];
  return html`
    <header>
      <strong>Ferry</strong>
      <nav>
        ${VIEWS.map(([id, label]) => html`<a href="#/${id}" class=${id === view ? "active" : ""}>${label}</a>`)}
        <a href="../queues" target="_blank" rel="noopener">Queues</a>
      </nav>
      <button class="link" onClick=${logout}>Log out</button>
    </header>
    <main><${View} /></main>`;
}

render(html`<${App} />`, document.getElementById("app"));
