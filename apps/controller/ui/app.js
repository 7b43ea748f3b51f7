import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, token } from "./api.js";
import { html } from "./html.js";
import { CallerContext } from "./role.js";
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
      const caller = await call("GET", "/api/v1/whoami", {}, value);
      token.set(value);
      onLogin(caller);
    } catch (err) {
      setError(err.status === 401 ? `The token was refused: ${err.message}` : err.message);
    }
  };
  return html`
    <form class="login" onSubmit=${submit}>
      <h1>Ferry</h1>
      <p>Paste the admin token (<code>npm start</code> prints it) or a token made with <code>POST /api/v1/tokens</code>. It is kept for this tab only.</p>
      <input name="token" type="password" autocomplete="off" placeholder="token" aria-label="token" required />
      <button type="submit">Log in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

function App() {
  const [caller, setCaller] = useState(null);
  const [error, setError] = useState(null);
  const [view, setView] = useState(currentView());
  useEffect(() => {
    const onHash = () => setView(currentView());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  // A tab reloaded with its token: ask again whose it is (a refused token sends the tab back to the login form).
  useEffect(() => {
    if (token.get()) call("GET", "/api/v1/whoami").then(setCaller, (e) => setError(e.message));
  }, []);
  if (!token.get()) return html`<${Login} onLogin=${setCaller} />`;
  if (!caller) return html`<main>${error ? html`<p class="error" role="alert">${error}</p>` : html`<p class="muted">Loading…</p>`}</main>`;
  const logout = () => (token.clear(), setCaller(null));
  const [, , View] = VIEWS.find(([id]) => id === view) ?? VIEWS[0];
  return html`
    <${CallerContext.Provider} value=${caller}>
    <header>
      <strong>Ferry</strong>
      <nav>
        ${VIEWS.map(([id, label]) => html`<a href="#/${id}" class=${id === view ? "active" : ""}>${label}</a>`)}
        ${caller.role === "admin" && html`<a href="../queues" target="_blank" rel="noopener">Queues</a>`}
      </nav>
      <span class="caller" data-role=${caller.role} title=${caller.name}>${caller.name} · ${caller.role}</span>
      <button class="link" onClick=${logout}>Log out</button>
    </header>
    <main><${View} /></main>
    <//>`;
}

render(html`<${App} />`, document.getElementById("app"));
