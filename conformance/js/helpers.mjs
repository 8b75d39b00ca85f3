// Shared helpers of the conformance tests: the simulator's facts (from the KINTONE_SIM_*
// variables that ../run.sh sets), client factories, a recording proxy and error assertions.
import assert from "node:assert/strict";
import http from "node:http";

import { KintoneRestAPIClient, KintoneRestAPIError } from "@kintone/rest-api-client";

function need(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is not set: run the suite through conformance/run.sh, which starts the simulator`,
    );
  }
  return v;
}

export const sim = {
  url: need("KINTONE_SIM_URL"),
  user: need("KINTONE_SIM_USER"),
  password: need("KINTONE_SIM_PASSWORD"),
  apps: {
    customers: Number(need("KINTONE_SIM_APP_CUSTOMERS")),
    deals: Number(need("KINTONE_SIM_APP_DEALS")),
    orders: Number(need("KINTONE_SIM_APP_ORDERS")),
    guestTasks: Number(need("KINTONE_SIM_APP_GUEST_TASKS")),
  },
  guestSpace: Number(need("KINTONE_SIM_GUEST_SPACE_GUEST_TASKS")),
  tokens: {
    customersFull: need("KINTONE_SIM_TOKEN_CUSTOMERS_FULL"),
    customersView: need("KINTONE_SIM_TOKEN_CUSTOMERS_VIEW"),
    dealsFull: need("KINTONE_SIM_TOKEN_DEALS_FULL"),
    dealsView: need("KINTONE_SIM_TOKEN_DEALS_VIEW"),
    ordersFull: need("KINTONE_SIM_TOKEN_ORDERS_FULL"),
    ordersView: need("KINTONE_SIM_TOKEN_ORDERS_VIEW"),
    guestFull: need("KINTONE_SIM_TOKEN_GUEST_TASKS_FULL"),
    guestView: need("KINTONE_SIM_TOKEN_GUEST_TASKS_VIEW"),
  },
};

/** A client with password authentication (the admin user unless told otherwise). */
export function passwordClient({ baseUrl = sim.url, username = sim.user, password = sim.password, ...rest } = {}) {
  return new KintoneRestAPIClient({ baseUrl, auth: { username, password }, ...rest });
}

/** A client with API-token authentication; apiToken is a string or an array of strings. */
export function tokenClient(apiToken, { baseUrl = sim.url, ...rest } = {}) {
  return new KintoneRestAPIClient({ baseUrl, auth: { apiToken }, ...rest });
}

/**
 * A loopback HTTP proxy in front of the simulator that records every request, so that tests can
 * check which API calls the client made (records.json with a seek query, records/cursor.json,
 * bulkRequest.json...). Each entry: {method, path, params (URLSearchParams), headers, body (parsed
 * JSON or null)}. Returns {url, requests, clear(), close()}.
 */
export async function recordingProxy(target = sim.url) {
  const requests = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const u = new URL(req.url, target);
      let body = null;
      if (raw.length && String(req.headers["content-type"] || "").includes("json")) {
        body = JSON.parse(raw.toString("utf8"));
      }
      requests.push({ method: req.method, path: u.pathname, params: u.searchParams, headers: req.headers, body });
      const headers = { ...req.headers, host: upstream.host };
      const fwd = http.request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      fwd.on("error", (e) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(e));
      });
      fwd.end(raw);
    });
  });
  // The client accepts plain http only for the host name "localhost".
  await new Promise((resolve) => server.listen(0, "localhost", resolve));
  const { port } = server.address();
  return {
    url: `http://localhost:${port}`,
    requests,
    clear() {
      requests.length = 0;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Awaits promise, which must reject with a KintoneRestAPIError of this code (and status). */
export async function rejectsWithKintoneError(promise, code, status) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a KintoneRestAPIError ${code}, but the call succeeded`);
  assert.ok(
    error instanceof KintoneRestAPIError,
    `expected a KintoneRestAPIError ${code}, got ${error?.name}: ${error?.message}`,
  );
  assert.equal(error.code, code, error.message);
  if (status !== undefined) {
    assert.equal(error.status, status, error.message);
  }
  assert.match(error.id, /^\S{8,}$/, "error id");
  return error;
}

/** The ids of records as numbers. */
export function ids(records) {
  return records.map((r) => Number(r.$id.value));
}

/** [from, from+1, ..., to]. */
export function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
