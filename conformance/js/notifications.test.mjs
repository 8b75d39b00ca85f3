// Conformance of the simulator's notification, graph and action settings
// (app/notifications/general.json, perRecord.json, reminder.json, app/reports.json,
// app/actions.json) with the official @kintone/rest-api-client: the shapes its typings
// describe, the sample's values (Deals and Orders have settings, the other apps none), preview,
// guest space and errors. Read-only: it may run in parallel with the other files. Run through
// ../run.sh.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { passwordClient, recordingProxy, rejectsWithKintoneError, sim, tokenClient } from "./helpers.mjs";

const ORDERS = sim.apps.orders;
const DEALS = sim.apps.deals;
const CUSTOMERS = sim.apps.customers;
const GUEST = sim.apps.guestTasks;

const client = passwordClient();

const ENTITY_TYPES = ["USER", "GROUP", "ORGANIZATION", "FIELD_ENTITY"];

/** Checks a notification target's shape: {entity: {type, code}, includeSubs}. */
function assertTarget(t) {
  assert.ok(ENTITY_TYPES.includes(t.entity.type), t.entity.type);
  assert.equal(typeof t.entity.code, "string");
  assert.equal(typeof t.includeSubs, "boolean");
}

describe("notifications", () => {
  test("getGeneralNotifications: entities and the events they hear of, live and preview", async () => {
    const general = await client.app.getGeneralNotifications({ app: ORDERS });
    assert.match(general.revision, /^\d+$/);
    assert.equal(general.notifyToCommenter, true);
    for (const n of general.notifications) {
      assert.ok(ENTITY_TYPES.includes(n.entity.type), n.entity.type);
      for (const flag of ["includeSubs", "recordAdded", "recordEdited", "commentAdded", "statusChanged", "fileImported"]) {
        assert.equal(typeof n[flag], "boolean", flag);
      }
    }
    const managers = general.notifications.find((n) => n.entity.code === "managers");
    assert.deepEqual(managers, {
      entity: { type: "GROUP", code: "managers" },
      includeSubs: false,
      recordAdded: true,
      recordEdited: false,
      commentAdded: true,
      statusChanged: false,
      fileImported: false,
    });
    assert.deepEqual(await client.app.getGeneralNotifications({ app: ORDERS, preview: true }), general);
    const none = await client.app.getGeneralNotifications({ app: CUSTOMERS });
    assert.deepEqual(none.notifications, []);
    assert.equal(none.notifyToCommenter, false);
  });

  test("getPerRecordNotifications: condition, title and targets; lang is sent and accepted", async () => {
    const proxy = await recordingProxy();
    try {
      const viaProxy = passwordClient({ baseUrl: proxy.url });
      const { notifications, revision } = await viaProxy.app.getPerRecordNotifications({ app: DEALS, lang: "en" });
      assert.match(revision, /^\d+$/);
      assert.equal(proxy.requests.at(-1).path, "/k/v1/app/notifications/perRecord.json");
      assert.equal(proxy.requests.at(-1).params.get("lang"), "en");
      assert.equal(notifications.length, 1);
      const [won] = notifications;
      assert.equal(won.filterCond, 'stage in ("Won")');
      assert.equal(won.title, "Deal won");
      won.targets.forEach(assertTarget);
      assert.deepEqual(won.targets.map((t) => t.entity.code), ["managers", "owner"]);
    } finally {
      await proxy.close();
    }
    const preview = await client.app.getPerRecordNotifications({ app: DEALS, preview: true });
    assert.equal(preview.notifications.length, 1);
    await rejectsWithKintoneError(client.app.getPerRecordNotifications({ app: DEALS, lang: "xx" }), "CB_VA01", 400);
  });

  test("getReminderNotifications: timing with time or hoursLater, and the time zone", async () => {
    const { notifications, timezone, revision } = await client.app.getReminderNotifications({ app: DEALS });
    assert.match(revision, /^\d+$/);
    assert.equal(timezone, "Asia/Tokyo");
    assert.deepEqual(
      notifications.map((n) => n.timing),
      [
        { code: "close_date", daysLater: "-3", time: "10:00" },
        { code: "last_contact", daysLater: "30", hoursLater: "0" },
      ],
    );
    for (const n of notifications) {
      assert.equal(typeof n.filterCond, "string");
      assert.equal(typeof n.title, "string");
      n.targets.forEach(assertTarget);
    }
    const orders = await client.app.getReminderNotifications({ app: ORDERS, lang: "ja" });
    assert.equal(orders.notifications[0].title, "未出荷の受注");
  });
});

describe("graphs and actions", () => {
  test("getReports: graphs by name with id, index, chart, groups, aggregations, sorts and periodic report", async () => {
    const { reports, revision } = await client.app.getReports({ app: ORDERS });
    assert.match(revision, /^\d+$/);
    assert.deepEqual(Object.keys(reports).sort(), ["ステータス別件数", "月別売上"].sort());
    for (const [name, r] of Object.entries(reports)) {
      assert.equal(r.name, name);
      assert.match(r.id, /^\d+$/);
      assert.match(r.index, /^\d+$/);
      assert.ok(Array.isArray(r.groups) && Array.isArray(r.aggregations) && Array.isArray(r.sorts));
      assert.equal(typeof r.filterCond, "string");
    }
    const monthly = reports["月別売上"];
    assert.equal(monthly.chartType, "COLUMN");
    assert.equal(monthly.chartMode, "STACKED");
    assert.deepEqual(monthly.groups, [{ code: "order_date", per: "MONTH" }, { code: "status" }]);
    assert.deepEqual(monthly.aggregations, [{ type: "SUM", code: "total" }]);
    assert.deepEqual(monthly.periodicReport, { active: true, period: { every: "MONTH", dayOfMonth: "1", time: "09:00" } });
    const pie = reports["ステータス別件数"];
    assert.equal(pie.chartType, "PIE");
    assert.equal("chartMode" in pie, false);
    assert.deepEqual(pie.aggregations, [{ type: "COUNT" }]);
    assert.equal(pie.periodicReport, null);
    assert.deepEqual((await client.app.getReports({ app: ORDERS, preview: true })).reports, reports);
    // Under the guest space's path.
    const guest = passwordClient({ guestSpaceId: sim.guestSpace });
    assert.deepEqual((await guest.app.getReports({ app: GUEST })).reports, {});
  });

  test("getAppActions: the destination app, mappings and entities", async () => {
    const { actions, revision } = await client.app.getAppActions({ app: ORDERS, lang: "default" });
    assert.match(revision, /^\d+$/);
    const action = actions["商談を作成"];
    assert.equal(action.name, "商談を作成");
    assert.match(action.id, /^\d+$/);
    assert.equal(action.index, "0");
    assert.deepEqual(action.destApp, { app: String(DEALS), code: "DEALS" });
    assert.deepEqual(action.mappings, [
      { srcType: "FIELD", srcField: "customer", destField: "customer" },
      { srcType: "FIELD", srcField: "total", destField: "amount" },
      { srcType: "RECORD_URL", destField: "notes" },
    ]);
    assert.deepEqual(action.entities, [
      { type: "ORGANIZATION", code: "sales" },
      { type: "USER", code: "admin" },
    ]);
    assert.equal(action.filterCond, 'status in ("受付")');
    assert.deepEqual((await client.app.getAppActions({ app: DEALS })).actions, {});
  });

  test("API tokens read their own app's settings only; an unknown app is GAIA_AP01", async () => {
    const orders = tokenClient(sim.tokens.ordersView);
    assert.ok("商談を作成" in (await orders.app.getAppActions({ app: ORDERS })).actions);
    await rejectsWithKintoneError(orders.app.getReports({ app: DEALS }), "GAIA_NO01", 403);
    await rejectsWithKintoneError(client.app.getReminderNotifications({ app: 9999 }), "GAIA_AP01", 404);
    await rejectsWithKintoneError(client.app.getGeneralNotifications({ app: GUEST }), "GAIA_IL23", 400);
  });
});
