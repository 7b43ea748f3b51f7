// The dashboard's one way to call the admin API: the token from the tab's sessionStorage, JSON in and out,
// and the API's own error message on a 4xx/5xx.
const TOKEN_KEY = "ferry.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ? [].concat(body.message).join("; ") : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function call(method, path, body, bearer = token.get()) {
  const res = await fetch(`../api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      "x-ferry-actor": "dashboard",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  // The stored token no longer works (the controller restarted with another one): back to the login form.
  if (res.status === 401 && bearer === token.get()) {
    token.clear();
    location.reload();
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => call("GET", path);
export const post = (path, body = {}) => call("POST", path, body);
export const patch = (path, body) => call("PATCH", path, body);
