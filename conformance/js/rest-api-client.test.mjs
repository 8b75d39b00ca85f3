// Conformance of the kintone simulator with the official JavaScript client,
// @kintone/rest-api-client (the exact version is pinned in package.json / package-lock.json).
// Run through ../run.sh, which starts the simulator with the sample dataset and sets the
// KINTONE_SIM_* variables. Tests in this file run one after another and share that simulator:
// reads use ORDERS (12,000 records) and CUSTOMERS (300) and count them exactly; writes go to
// DEALS (records 1990-1999 and records the tests add and delete again) and to ORDERS records
// 300-399 (and records added and deleted again). more-endpoints.test.mjs stays clear of these.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { KintoneAllRecordsError, KintoneRestAPIError } from "@kintone/rest-api-client";

import {
  ids,
  passwordClient,
  range,
  recordingProxy,
  rejectsWithKintoneError,
  sim,
  tokenClient,
} from "./helpers.mjs";

const ORDERS = sim.apps.orders;
const DEALS = sim.apps.deals;
const CUSTOMERS = sim.apps.customers;
const GUEST = sim.apps.guestTasks;
const ORDER_COUNT = 12000;
const DEAL_COUNT = 2000;
const SMITH = 'Smith & Sons "Global" Ltd.'; // customer record 8 of the sample

const client = passwordClient();
let proxy;

before(async () => {
  proxy = await recordingProxy();
});
after(async () => {
  await proxy?.close();
});

/** A password client whose requests go through the recording proxy (cleared first). */
function proxiedClient() {
  proxy.clear();
  return passwordClient({ baseUrl: proxy.url });
}

async function count(app, condition = "") {
  const res = await client.record.getRecords({ app, query: `${condition} limit 1`, totalCount: true });
  return Number(res.totalCount);
}

// --- reads -----------------------------------------------------------------------------------

describe("getRecord", () => {
  test("returns every field with its type, the subtable and the computed CALC values", async () => {
    const { record } = await client.record.getRecord({ app: ORDERS, id: 42 });
    assert.deepEqual(record.$id, { type: "__ID__", value: "42" });
    assert.deepEqual(record.$revision, { type: "__REVISION__", value: "1" });
    assert.deepEqual(record["レコード番号"], { type: "RECORD_NUMBER", value: "ORDERS-42" }, "an app with a code prefixes its record numbers");
    assert.deepEqual(record.order_no, { type: "SINGLE_LINE_TEXT", value: "ORD-000042" });
    assert.deepEqual(record.memo, {
      type: "MULTI_LINE_TEXT",
      value: 'He said "ship it" \\ C:\\orders\\2024\\ — 引用符 "テスト" と \\\\ バックスラッシュ',
    });
    assert.equal(record.items.type, "SUBTABLE");
    assert.ok(record.items.value.length >= 1);
    let sum = 0;
    for (const row of record.items.value) {
      assert.match(row.id, /^\d+$/);
      assert.deepEqual(Object.keys(row.value).sort(), ["product", "quantity", "subtotal", "unit_price"]);
      const q = Number(row.value.quantity.value || 0);
      const p = Number(row.value.unit_price.value);
      assert.equal(row.value.subtotal.type, "CALC");
      assert.equal(Number(row.value.subtotal.value), q * p);
      sum += q * p;
    }
    assert.deepEqual(record.total, { type: "CALC", value: String(sum) });
  });

  test("an empty subtable, FILE metadata and a Japanese app's record", async () => {
    const first = (await client.record.getRecord({ app: ORDERS, id: 1 })).record;
    assert.deepEqual(first.items, { type: "SUBTABLE", value: [] });
    // SUM over a table without rows is an error, which kintone answers as "" (the simulator's
    // BEHAVIOUR.md, Formulas).
    assert.deepEqual(first.total, { type: "CALC", value: "" });
    const withFile = (await client.record.getRecord({ app: ORDERS, id: 6 })).record;
    assert.equal(withFile.attachments.type, "FILE");
    assert.equal(withFile.attachments.value.length, 1);
    const { size, ...file } = withFile.attachments.value[0];
    assert.deepEqual(file, {
      contentType: "application/pdf",
      fileKey: "20260101000000000006ORD",
      name: "見積書_ORD-000006.pdf",
    });
    assert.match(size, /^\d+$/);
    const customer = (await client.record.getRecord({ app: CUSTOMERS, id: 8 })).record;
    assert.deepEqual(customer["会社名"], { type: "SINGLE_LINE_TEXT", value: SMITH });
    assert.deepEqual(customer["Webサイト"], { type: "LINK", value: "https://smith-sons.example.com/" });
    assert.deepEqual(customer["作成者"], { type: "CREATOR", value: { code: "admin", name: "管理者" } });
  });

  test("a missing record is GAIA_RE01 (404)", async () => {
    await rejectsWithKintoneError(client.record.getRecord({ app: ORDERS, id: 999999 }), "GAIA_RE01", 404);
  });
});

describe("getRecords", () => {
  test("query with order by, limit and offset; fields; totalCount", async () => {
    const res = await client.record.getRecords({
      app: ORDERS,
      query: "$id <= 250 order by $id desc limit 5 offset 10",
      fields: ["$id", "order_no"],
      totalCount: true,
    });
    assert.equal(res.totalCount, "250");
    assert.deepEqual(ids(res.records), [240, 239, 238, 237, 236]);
    for (const r of res.records) {
      assert.deepEqual(Object.keys(r).sort(), ["$id", "order_no"]);
      assert.equal(r.order_no.value, `ORD-${r.$id.value.padStart(6, "0")}`);
    }
  });

  test("without order by the records come $id descending; totalCount is null unless asked", async () => {
    const res = await client.record.getRecords({
      app: ORDERS,
      query: 'order_no in ("ORD-000010", "ORD-000011", "ORD-999999")',
      fields: ["order_no"],
    });
    assert.equal(res.totalCount, null);
    assert.deepEqual(
      res.records.map((r) => r.order_no.value),
      ["ORD-000011", "ORD-000010"],
    );
  });

  test("without a query: the default limit of 100, newest first", async () => {
    const res = await client.record.getRecords({ app: ORDERS, fields: ["$id"], totalCount: true });
    assert.equal(res.totalCount, String(ORDER_COUNT));
    assert.deepEqual(ids(res.records), range(ORDER_COUNT - 99, ORDER_COUNT).reverse());
  });

  test("a GET longer than 4,096 characters goes as POST with X-HTTP-Method-Override: GET", async () => {
    const c = proxiedClient();
    const wanted = range(1, 400).map((n) => `ORD-${String(n).padStart(6, "0")}`);
    const res = await c.record.getRecords({
      app: ORDERS,
      query: `order_no in (${wanted.map((w) => `"${w}"`).join(", ")}) order by $id asc limit 500`,
      fields: ["order_no"],
      totalCount: true,
    });
    assert.equal(res.totalCount, "400");
    assert.deepEqual(res.records.map((r) => r.order_no.value), wanted);
    assert.equal(proxy.requests.length, 1);
    assert.equal(proxy.requests[0].method, "POST");
    assert.equal(proxy.requests[0].path, "/k/v1/records.json");
    assert.equal(proxy.requests[0].headers["x-http-method-override"], "GET");
  });

  test("a string literal with escaped quotes matches exactly", async () => {
    const res = await client.record.getRecords({
      app: CUSTOMERS,
      query: `会社名 = "${SMITH.replace(/"/g, '\\"')}"`,
      fields: ["$id", "会社名"],
      totalCount: true,
    });
    assert.equal(res.totalCount, "1");
    assert.deepEqual(ids(res.records), [8]);
  });
});

describe("getAllRecords", () => {
  test("without orderBy: seek paging by $id (getAllRecordsWithId), ascending", async () => {
    const c = proxiedClient();
    const records = await c.record.getAllRecords({ app: ORDERS, condition: "$id > 10800", fields: ["order_no"] });
    assert.equal(records.length, 1200);
    assert.deepEqual(ids(records), range(10801, 12000));
    assert.deepEqual(Object.keys(records[0]).sort(), ["$id", "order_no"]);
    assert.equal(records.at(-1).order_no.value, "ORD-012000");
    assert.deepEqual(
      proxy.requests.map((r) => `${r.method} ${r.path} ${r.params.get("query")}`),
      [0, 11300, 11800].map(
        (last) => `GET /k/v1/records.json ($id > 10800) and $id > ${last} order by $id asc limit 500`,
      ),
    );
  });

  test("getAllRecordsWithId stops after a short page (500 + 1 records: 2 requests)", async () => {
    const c = proxiedClient();
    const records = await c.record.getAllRecordsWithId({ app: ORDERS, condition: "$id >= 11500", fields: ["$id"] });
    assert.deepEqual(ids(records), range(11500, 12000));
    assert.equal(proxy.requests.length, 2);
  });

  test("orderBy with withCursor: true reads all 12,000 records through the cursor API", async () => {
    const c = proxiedClient();
    const records = await c.record.getAllRecords({
      app: ORDERS,
      orderBy: "order_no desc",
      fields: ["order_no"],
      withCursor: true,
    });
    assert.equal(records.length, ORDER_COUNT);
    assert.equal(records[0].order_no.value, "ORD-012000");
    assert.equal(records.at(-1).order_no.value, "ORD-000001");
    for (let i = 1; i < records.length; i++) {
      assert.ok(records[i - 1].order_no.value > records[i].order_no.value, `order at ${i}`);
    }
    const calls = proxy.requests.map((r) => `${r.method} ${r.path}`);
    assert.equal(calls[0], "POST /k/v1/records/cursor.json");
    assert.deepEqual(proxy.requests[0].body, { app: ORDERS, fields: ["order_no"], query: "order by order_no desc", size: 500 });
    assert.deepEqual(calls.slice(1), Array(ORDER_COUNT / 500).fill("GET /k/v1/records/cursor.json"));
  });

  test("orderBy with withCursor: false pages with limit/offset", async () => {
    const c = proxiedClient();
    const records = await c.record.getAllRecords({
      app: ORDERS,
      condition: "$id <= 1200",
      orderBy: "order_no desc",
      fields: ["order_no"],
      withCursor: false,
    });
    assert.deepEqual(
      records.map((r) => r.order_no.value),
      range(1, 1200).reverse().map((n) => `ORD-${String(n).padStart(6, "0")}`),
    );
    assert.deepEqual(
      proxy.requests.map((r) => r.params.get("query")),
      [0, 500, 1000].map((o) => `$id <= 1200 order by order_no desc limit 500 offset ${o}`),
    );
  });

  test("offset paging past 10,000 records fails with GAIA_QU02 (why the cursor exists)", async () => {
    const e = await rejectsWithKintoneError(
      client.record.getAllRecords({ app: ORDERS, orderBy: "$id asc", fields: ["$id"], withCursor: false }),
      "GAIA_QU02",
      400,
    );
    assert.ok(!(e instanceof KintoneAllRecordsError));
  });

  test("a bad condition surfaces the server's error (GAIA_IQ11)", async () => {
    await rejectsWithKintoneError(
      client.record.getAllRecords({ app: ORDERS, condition: 'no_such_field = "x"' }),
      "GAIA_IQ11",
      400,
    );
  });
});

describe("cursor API", () => {
  test("createCursor, getRecordsByCursor page by page, automatic delete after the last page", async () => {
    const { id, totalCount } = await client.record.createCursor({
      app: ORDERS,
      fields: ["$id", "order_no"],
      query: "$id <= 5 order by $id asc",
      size: 2,
    });
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(totalCount, "5");
    const pages = [];
    for (;;) {
      const page = await client.record.getRecordsByCursor({ id });
      pages.push([ids(page.records), page.next]);
      if (!page.next) break;
    }
    assert.deepEqual(pages, [
      [[1, 2], true],
      [[3, 4], true],
      [[5], false],
    ]);
    await rejectsWithKintoneError(client.record.getRecordsByCursor({ id }), "GAIA_CN01", 404);
  });

  test("deleteCursor removes it", async () => {
    const { id, totalCount } = await client.record.createCursor({ app: ORDERS, query: "order_no = \"ORD-000100\"" });
    assert.equal(totalCount, "1");
    assert.deepEqual(await client.record.deleteCursor({ id }), {});
    await rejectsWithKintoneError(client.record.getRecordsByCursor({ id }), "GAIA_CN01", 404);
    await rejectsWithKintoneError(client.record.deleteCursor({ id }), "GAIA_CN01", 404);
  });

  test("limit in a cursor query is refused", async () => {
    await rejectsWithKintoneError(
      client.record.createCursor({ app: ORDERS, query: "order by $id asc limit 10" }),
      "CB_VA01",
      400,
    );
  });
});

// --- writes ----------------------------------------------------------------------------------

describe("single-record writes", () => {
  test("addRecord / getRecord / updateRecord / deleteRecords with revisions and a lookup", async () => {
    const smith = (await client.record.getRecord({ app: CUSTOMERS, id: 8 })).record;
    const added = await client.record.addRecord({
      app: DEALS,
      record: {
        deal_name: { value: "Conformance deal" },
        customer: { value: SMITH },
        stage: { value: "Proposal" },
        amount: { value: "200000" },
        probability: { value: "60" },
        channels: { value: ["Web", "Email"] },
      },
    });
    assert.match(added.id, /^\d+$/);
    assert.ok(Number(added.id) > DEAL_COUNT);
    assert.equal(added.revision, "1");
    const id = added.id;

    let rec = (await client.record.getRecord({ app: DEALS, id })).record;
    assert.equal(rec.deal_name.value, "Conformance deal");
    assert.equal(rec.industry.value, smith["業種"].value, "the lookup copied 業種 into industry");
    assert.equal(rec.expected_revenue.value, "120000");
    assert.deepEqual(rec.channels.value, ["Web", "Email"]);
    assert.equal(rec.priority.value, "Medium", "default value");
    assert.deepEqual(rec.Created_by.value, { code: "admin", name: "管理者" });
    assert.match(rec.Created_datetime.value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);

    const upd = await client.record.updateRecord({
      app: DEALS,
      id,
      revision: "1",
      record: { amount: { value: "300000" } },
    });
    assert.deepEqual(upd, { revision: "2" });
    rec = (await client.record.getRecord({ app: DEALS, id })).record;
    assert.equal(rec.$revision.value, "2");
    assert.equal(rec.expected_revenue.value, "180000");
    assert.equal(rec.deal_name.value, "Conformance deal", "fields not sent are kept");

    const conflict = await rejectsWithKintoneError(
      client.record.updateRecord({ app: DEALS, id, revision: "1", record: { amount: { value: "1" } } }),
      "GAIA_CO02",
      409,
    );
    assert.match(conflict.message, /^\[409\] \[GAIA_CO02\] /);
    assert.equal((await client.record.getRecord({ app: DEALS, id })).record.amount.value, "300000");

    await rejectsWithKintoneError(
      client.record.deleteRecords({ app: DEALS, ids: [id], revisions: ["1"] }),
      "GAIA_CO02",
      409,
    );
    assert.deepEqual(await client.record.deleteRecords({ app: DEALS, ids: [id], revisions: ["2"] }), {});
    await rejectsWithKintoneError(client.record.getRecord({ app: DEALS, id }), "GAIA_RE01", 404);
  });

  test("validation errors name the field (CB_VA01 with errors)", async () => {
    const e = await rejectsWithKintoneError(
      client.record.addRecord({ app: DEALS, record: { deal_name: { value: "" }, probability: { value: "101" } } }),
      "CB_VA01",
      400,
    );
    assert.deepEqual(Object.keys(e.errors).sort(), ["record.deal_name.value", "record.probability.value"]);
    assert.equal(await count(DEALS), DEAL_COUNT);
  });

  test("updateRecord by updateKey", async () => {
    const res = await client.record.updateRecord({
      app: ORDERS,
      updateKey: { field: "order_no", value: "ORD-000301" },
      record: { memo: { value: "updated by updateKey" } },
    });
    assert.deepEqual(res, { revision: "2" });
    const rec = (await client.record.getRecord({ app: ORDERS, id: 301 })).record;
    assert.equal(rec.memo.value, "updated by updateKey");
    assert.equal(rec.order_no.value, "ORD-000301");
  });

  test("updateRecords({upsert: true}) updates the matching key and inserts the new one", async () => {
    const res = await client.record.updateRecords({
      app: ORDERS,
      upsert: true,
      records: [
        { updateKey: { field: "order_no", value: "ORD-000300" }, record: { memo: { value: "upsert: update" } } },
        { updateKey: { field: "order_no", value: "ORD-CONF-0001" }, record: { memo: { value: "upsert: insert" } } },
      ],
    });
    assert.equal(res.records.length, 2);
    assert.deepEqual(res.records[0], { id: "300", revision: "2", operation: "UPDATE" });
    const inserted = res.records[1];
    assert.equal(inserted.operation, "INSERT");
    assert.equal(inserted.revision, "1");
    assert.ok(Number(inserted.id) > ORDER_COUNT);
    try {
      const rec = (await client.record.getRecord({ app: ORDERS, id: inserted.id })).record;
      assert.equal(rec.order_no.value, "ORD-CONF-0001");
      assert.equal(rec.memo.value, "upsert: insert");
      assert.equal(rec.status.value, "受付", "default value");
      assert.equal((await client.record.getRecord({ app: ORDERS, id: 300 })).record.memo.value, "upsert: update");
    } finally {
      await client.record.deleteRecords({ app: ORDERS, ids: [inserted.id] });
    }
    assert.equal(await count(ORDERS), ORDER_COUNT);
  });

  test("upsertRecord (the client's helper: getRecords, then addRecord or updateRecord)", async () => {
    const key = { field: "order_no", value: "ORD-CONF-0002" };
    const first = await client.record.upsertRecord({ app: ORDERS, updateKey: key, record: { memo: { value: "one" } } });
    assert.equal(first.revision, "1");
    try {
      const second = await client.record.upsertRecord({ app: ORDERS, updateKey: key, record: { memo: { value: "two" } } });
      assert.deepEqual(second, { id: first.id, revision: "2" });
      assert.equal((await client.record.getRecord({ app: ORDERS, id: first.id })).record.memo.value, "two");
    } finally {
      await client.record.deleteRecords({ app: ORDERS, ids: [first.id] });
    }
  });
});

describe("bulk helpers through bulkRequest", () => {
  test("addAllRecords / updateAllRecords / deleteAllRecords with 2,050 records (two bulkRequests each)", async () => {
    const N = 2050;
    const c = proxiedClient();
    const added = await c.record.addAllRecords({
      app: DEALS,
      records: range(1, N).map((i) => ({
        deal_name: { value: `bulk-${i}` },
        amount: { value: String(i * 1000) },
        probability: { value: "10" },
      })),
    });
    assert.equal(added.records.length, N);
    const first = Number(added.records[0].id);
    assert.ok(first > DEAL_COUNT);
    assert.deepEqual(
      added.records.map((r) => r.id),
      range(first, first + N - 1).map(String),
      "ids are consecutive and in input order",
    );
    assert.ok(added.records.every((r) => r.revision === "1"));
    // 2,050 records = 21 POST records.json of <= 100: 20 in the first bulkRequest, 1 in the second.
    const bulks = proxy.requests.filter((r) => r.path === "/k/v1/bulkRequest.json");
    assert.equal(proxy.requests.length, 2);
    assert.deepEqual(bulks.map((b) => b.body.requests.length), [20, 1]);
    assert.deepEqual(
      bulks.flatMap((b) => b.body.requests.map((r) => `${r.method} ${r.api} ${r.payload.records.length}`)),
      [...Array(20).fill("POST /k/v1/records.json 100"), "POST /k/v1/records.json 50"],
    );
    assert.equal(await count(DEALS, `$id >= ${first}`), N);
    let rec = (await client.record.getRecord({ app: DEALS, id: first + 1234 })).record;
    assert.equal(rec.deal_name.value, "bulk-1235");
    assert.equal(rec.expected_revenue.value, "123500");

    proxy.clear();
    const updated = await c.record.updateAllRecords({
      app: DEALS,
      records: added.records.map((r, i) => ({
        id: r.id,
        revision: r.revision,
        record: { deal_name: { value: `bulk-updated-${i + 1}` } },
      })),
    });
    assert.deepEqual(
      updated.records,
      added.records.map((r) => ({ id: r.id, revision: "2" })),
    );
    assert.deepEqual(
      proxy.requests.flatMap((b) => b.body.requests.map((r) => `${r.method} ${r.api}`)),
      Array(21).fill("PUT /k/v1/records.json"),
    );
    rec = (await client.record.getRecord({ app: DEALS, id: first + N - 1 })).record;
    assert.equal(rec.deal_name.value, `bulk-updated-${N}`);
    assert.equal(rec.amount.value, String(N * 1000), "fields not sent are kept");
    assert.equal(rec.$revision.value, "2");

    proxy.clear();
    const deleted = await c.record.deleteAllRecords({
      app: DEALS,
      records: updated.records.map((r) => ({ id: r.id, revision: r.revision })),
    });
    assert.deepEqual(deleted, {});
    assert.deepEqual(
      proxy.requests.flatMap((b) => b.body.requests.map((r) => `${r.method} ${r.api} ${r.payload.ids.length}`)),
      [...Array(20).fill("DELETE /k/v1/records.json 100"), "DELETE /k/v1/records.json 50"],
    );
    assert.deepEqual(proxy.requests[0].body.requests[0].payload.revisions, Array(100).fill("2"));
    assert.equal(await count(DEALS, `$id >= ${first}`), 0);
    assert.equal(await count(DEALS), DEAL_COUNT);
  });

  test("a failing record rolls back its whole bulkRequest: KintoneAllRecordsError with errorIndex", async () => {
    const records = range(1, 150).map((i) => ({ deal_name: { value: i === 121 ? "" : `bad-batch-${i}` } }));
    let error;
    try {
      await client.record.addAllRecords({ app: DEALS, records });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof KintoneAllRecordsError, String(error));
    assert.equal(error.numOfProcessedRecords, 0);
    assert.equal(error.numOfAllRecords, 150);
    assert.equal(error.errorIndex, 120);
    assert.equal(error.unprocessedRecords.length, 150);
    assert.ok(error.error instanceof KintoneRestAPIError);
    assert.equal(error.error.code, "CB_VA01");
    assert.equal(error.error.status, 400);
    assert.equal(error.error.bulkRequestIndex, 1);
    assert.deepEqual(Object.keys(error.error.errors), ["records[20].deal_name.value"]);
    assert.equal(await count(DEALS), DEAL_COUNT, "nothing of the failed bulkRequest was kept");
  });

  test("a failure in the second chunk keeps the first 2,000 records", async () => {
    const records = range(1, 2100).map((i) => ({ deal_name: { value: i === 2051 ? "" : `chunked-${i}` } }));
    let error;
    try {
      await client.record.addAllRecords({ app: DEALS, records });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof KintoneAllRecordsError, String(error));
    try {
      assert.equal(error.numOfProcessedRecords, 2000);
      assert.equal(error.errorIndex, 2050);
      assert.equal(error.processedRecordsResult.records.length, 2000);
      assert.equal(error.unprocessedRecords.length, 100);
      assert.equal(error.error.bulkRequestIndex, 0);
      assert.equal(await count(DEALS), DEAL_COUNT + 2000);
    } finally {
      await client.record.deleteAllRecords({
        app: DEALS,
        records: (error?.processedRecordsResult?.records ?? []).map((r) => ({ id: r.id })),
      });
    }
    assert.equal(await count(DEALS), DEAL_COUNT);
  });

  test("updateAllRecords with a stale revision fails with GAIA_CO02 and changes nothing", async () => {
    const before = (await client.record.getRecord({ app: DEALS, id: 1990 })).record;
    const res = await client.record.updateAllRecords({
      app: DEALS,
      records: [
        { id: "1990", record: { notes: { value: "<p>never saved</p>" } } },
        { id: "1991", revision: "99", record: { notes: { value: "<p>never saved</p>" } } },
      ],
    }).then(
      () => assert.fail("expected a failure"),
      (e) => e,
    );
    assert.ok(res instanceof KintoneAllRecordsError, String(res));
    assert.equal(res.error.code, "GAIA_CO02");
    assert.equal(res.error.status, 409);
    const rec = (await client.record.getRecord({ app: DEALS, id: 1990 })).record;
    assert.equal(rec.$revision.value, before.$revision.value);
    assert.equal(rec.notes.value, before.notes.value);
  });
});

// --- apps ------------------------------------------------------------------------------------

describe("apps", () => {
  test("getApp", async () => {
    const orders = await client.app.getApp({ id: ORDERS });
    assert.equal(orders.appId, String(ORDERS));
    assert.equal(orders.code, "ORDERS");
    assert.equal(orders.name, "受注明細 Orders");
    assert.equal(orders.spaceId, null);
    assert.deepEqual(orders.creator, { code: "admin", name: "管理者" });
    const customers = await client.app.getApp({ id: CUSTOMERS });
    assert.equal(customers.name, "顧客リスト");
    assert.equal(customers.spaceId, "1");
    assert.equal(customers.threadId, "1");
  });

  test("getApps with and without filters (the guest-space app is not listed)", async () => {
    const all = await client.app.getApps({});
    const listed = all.apps.map((a) => [a.appId, a.code]);
    assert.deepEqual(listed.slice(0, 3), [
      [String(CUSTOMERS), "CUSTOMERS"],
      [String(DEALS), "DEALS"],
      [String(ORDERS), "ORDERS"],
    ]);
    assert.ok(!listed.some(([id]) => id === String(GUEST)));
    assert.deepEqual((await client.app.getApps({ codes: ["DEALS"] })).apps.map((a) => a.appId), [String(DEALS)]);
    assert.deepEqual(
      (await client.app.getApps({ ids: [ORDERS, CUSTOMERS] })).apps.map((a) => a.appId),
      [String(CUSTOMERS), String(ORDERS)],
    );
    assert.deepEqual((await client.app.getApps({ name: "orders" })).apps.map((a) => a.appId), [String(ORDERS)]);
    assert.deepEqual(
      (await client.app.getApps({ spaceIds: [1], limit: 1, offset: 1 })).apps.map((a) => a.appId),
      [String(DEALS)],
    );
  });

  test("getFormFields (live and preview)", async () => {
    const { properties, revision } = await client.app.getFormFields({ app: ORDERS });
    assert.match(revision, /^\d+$/);
    assert.equal(properties.order_no.type, "SINGLE_LINE_TEXT");
    assert.equal(properties.order_no.unique, true);
    assert.equal(properties.order_no.required, true);
    assert.equal(properties.total.type, "CALC");
    assert.equal(properties.total.expression, "SUM(subtotal)");
    assert.equal(properties.items.type, "SUBTABLE");
    assert.deepEqual(Object.keys(properties.items.fields).sort(), ["product", "quantity", "subtotal", "unit_price"]);
    assert.equal(properties.items.fields.subtotal.expression, "quantity * unit_price");
    assert.deepEqual(Object.keys(properties.status.options).sort(), ["キャンセル", "出荷済", "出荷準備中", "受付"].sort());
    assert.equal(properties["レコード番号"].type, "RECORD_NUMBER");
    const deals = await client.app.getFormFields({ app: DEALS });
    assert.deepEqual(deals.properties.customer.lookup.relatedApp, { app: String(CUSTOMERS), code: "CUSTOMERS" });
    assert.deepEqual(deals.properties.customer.lookup.fieldMappings, [{ field: "industry", relatedField: "業種" }]);
    assert.equal(deals.properties.Record_number.type, "RECORD_NUMBER", "lang: en system field codes");
    const preview = await client.app.getFormFields({ app: ORDERS, preview: true });
    assert.deepEqual(Object.keys(preview.properties).sort(), Object.keys(properties).sort());
  });

  test("a missing app is GAIA_AP01 (404)", async () => {
    await rejectsWithKintoneError(client.app.getApp({ id: 9999 }), "GAIA_AP01", 404);
    await rejectsWithKintoneError(client.record.getRecords({ app: 9999 }), "GAIA_AP01", 404);
    await rejectsWithKintoneError(client.app.getFormFields({ app: 9999 }), "GAIA_AP01", 404);
  });
});

// --- guest space -----------------------------------------------------------------------------

describe("guest space (guestSpaceId)", () => {
  const guest = passwordClient({ guestSpaceId: sim.guestSpace });

  test("records, app and fields through /k/guest/{id}/v1/", async () => {
    const res = await guest.record.getRecords({ app: GUEST, query: "order by $id asc", totalCount: true });
    assert.equal(res.totalCount, "5");
    assert.deepEqual(
      res.records.map((r) => r.title.value),
      ["Kick-off meeting", "Share requirements", "Review mock-ups", "Sign NDA", "Deliver first draft"],
    );
    assert.deepEqual(res.records[0].done.value, ["done"]);
    assert.equal(res.records[4].due.value, null);
    const app = await guest.app.getApp({ id: GUEST });
    assert.equal(app.code, "GUEST_TASKS");
    assert.equal(app.spaceId, String(sim.guestSpace));
    assert.deepEqual((await guest.app.getApps({})).apps.map((a) => a.appId), [String(GUEST)]);
    const { properties } = await guest.app.getFormFields({ app: GUEST });
    assert.equal(properties.title.required, true);
  });

  test("writes with a guest app's API token", async () => {
    const tok = tokenClient(sim.tokens.guestFull, { guestSpaceId: sim.guestSpace });
    const { id, revision } = await tok.record.addRecord({ app: GUEST, record: { title: { value: "Conformance task" } } });
    assert.equal(revision, "1");
    try {
      const rec = (await tok.record.getRecord({ app: GUEST, id })).record;
      assert.equal(rec.title.value, "Conformance task");
      assert.deepEqual(rec.Created_by.value, { code: "Administrator", name: "Administrator" });
    } finally {
      await tok.record.deleteRecords({ app: GUEST, ids: [id] });
    }
    const res = await tok.record.getRecords({ app: GUEST, totalCount: true });
    assert.equal(res.totalCount, "5");
  });

  test("the wrong path: GAIA_IL23 without guestSpaceId, CB_NO02 for a normal app in the guest path", async () => {
    await rejectsWithKintoneError(client.record.getRecords({ app: GUEST }), "GAIA_IL23", 400);
    await rejectsWithKintoneError(guest.record.getRecord({ app: ORDERS, id: 1 }), "CB_NO02", 403);
  });
});

// --- authentication --------------------------------------------------------------------------

describe("authentication", () => {
  test("password authentication: another user; a wrong password is CB_WA01 (401)", async () => {
    const sato = passwordClient({ username: "sato" });
    const { id } = await sato.record.addRecord({ app: DEALS, record: { deal_name: { value: "by sato" } } });
    try {
      const rec = (await client.record.getRecord({ app: DEALS, id })).record;
      assert.deepEqual(rec.Created_by.value, { code: "sato", name: "佐藤 太郎" });
      assert.deepEqual(rec.Updated_by.value, { code: "sato", name: "佐藤 太郎" });
    } finally {
      await client.record.deleteRecords({ app: DEALS, ids: [id] });
    }
    await rejectsWithKintoneError(
      passwordClient({ password: "wrong" }).record.getRecord({ app: ORDERS, id: 1 }),
      "CB_WA01",
      401,
    );
    await rejectsWithKintoneError(
      passwordClient({ username: "nobody" }).app.getApps({}),
      "CB_WA01",
      401,
    );
  });

  test("a single API token: its app only, with its permissions", async () => {
    const view = tokenClient(sim.tokens.ordersView);
    assert.equal((await view.record.getRecord({ app: ORDERS, id: 42 })).record.order_no.value, "ORD-000042");
    await rejectsWithKintoneError(
      view.record.addRecord({ app: ORDERS, record: { order_no: { value: "ORD-DENIED" } } }),
      "GAIA_NO01",
      403,
    );
    await rejectsWithKintoneError(view.record.getRecord({ app: DEALS, id: 1 }), "GAIA_NO01", 403);
    assert.deepEqual((await view.app.getApps({})).apps.map((a) => a.appId), [String(ORDERS)]);
  });

  test("an array of API tokens: a lookup needs the source app's token too", async () => {
    const both = tokenClient([sim.tokens.dealsFull, sim.tokens.customersView]);
    const { id } = await both.record.addRecord({
      app: DEALS,
      record: { deal_name: { value: "token deal" }, customer: { value: SMITH } },
    });
    try {
      const rec = (await both.record.getRecord({ app: DEALS, id })).record;
      const smith = (await both.record.getRecord({ app: CUSTOMERS, id: 8 })).record;
      assert.equal(rec.industry.value, smith["業種"].value);
      assert.deepEqual(rec.Created_by.value, { code: "Administrator", name: "Administrator" });
    } finally {
      await both.record.deleteRecords({ app: DEALS, ids: [id] });
    }
    await rejectsWithKintoneError(
      tokenClient(sim.tokens.dealsFull).record.addRecord({
        app: DEALS,
        record: { deal_name: { value: "no lookup token" }, customer: { value: SMITH } },
      }),
      "GAIA_NO01",
      403,
    );
    assert.equal(await count(DEALS), DEAL_COUNT);
  });

  test("a bad token is GAIA_IA02 (400); two tokens of one app are GAIA_DA03 (400)", async () => {
    await rejectsWithKintoneError(
      tokenClient("not-a-token").record.getRecord({ app: ORDERS, id: 1 }),
      "GAIA_IA02",
      400,
    );
    await rejectsWithKintoneError(
      tokenClient([sim.tokens.ordersFull, "not-a-token"]).record.getRecord({ app: ORDERS, id: 1 }),
      "GAIA_IA02",
      400,
    );
    await rejectsWithKintoneError(
      tokenClient([sim.tokens.ordersFull, sim.tokens.ordersView]).record.getRecord({ app: ORDERS, id: 1 }),
      "GAIA_DA03",
      400,
    );
  });
});

// --- query errors ----------------------------------------------------------------------------

describe("query misuse", () => {
  test("limit over 500 is GAIA_QU01", async () => {
    await rejectsWithKintoneError(client.record.getRecords({ app: ORDERS, query: "limit 501" }), "GAIA_QU01", 400);
  });

  test("offset over 10,000 is GAIA_QU02", async () => {
    await rejectsWithKintoneError(
      client.record.getRecords({ app: ORDERS, query: "limit 1 offset 10001" }),
      "GAIA_QU02",
      400,
    );
    const edge = await client.record.getRecords({ app: ORDERS, query: "order by $id asc limit 1 offset 10000" });
    assert.deepEqual(ids(edge.records), [10001]);
  });

  test("an unknown field is GAIA_IQ11", async () => {
    const e = await rejectsWithKintoneError(
      client.record.getRecords({ app: ORDERS, query: 'nonexistent = "1"' }),
      "GAIA_IQ11",
      400,
    );
    assert.match(e.message, /nonexistent/);
  });
});
