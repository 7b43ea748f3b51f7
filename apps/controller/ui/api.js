// The dashboard calls the admin API only through the typed client (libs/api-client, served as
// ./vendor/api-client/), with the token from this tab's sessionStorage. Paths are the OpenAPI document's
// own (test/dashboard.e2e.spec.ts checks each one the dashboard names against it).
import { createFerryClient, ok, streamEvents } from "./vendor/api-client/index.js";

const TOKEN_KEY = "ferry.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const clientFor = (bearer) => createFerryClient({ baseUrl: location.origin, token: bearer, actor: "dashboard" });

/**
 * One call: `method` and `path` as in the OpenAPI document, `options` as openapi-fetch takes them
 * ({ params: { path, query }, body }). Returns the data; a refused call throws FerryApiError (status, body).
 */
export async function call(method, path, options = {}, bearer = token.get()) {
  const result = await clientFor(bearer)[method](path, options);
  // The stored token no longer works (the controller restarted with another one): back to the login form.
  if (result.response.status === 401 && bearer === token.get()) {
    token.clear();
    location.reload();
  }
  return ok(result);
}

/** The change stream (GET /api/v1/events) with this tab's token; see live.js. */
export const changes = (options) => streamEvents({ baseUrl: location.origin, token: token.get() }, options);
