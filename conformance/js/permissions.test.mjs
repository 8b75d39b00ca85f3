// Conformance of the simulator's access-rights endpoints (app/acl.json, field/acl.json,
// record/acl.json, live and preview) with the official @kintone/rest-api-client. Run through
// ../run.sh. Only reads: the file may run in parallel with the others against one simulator.
//
// The sample gives 顧客リスト and Deals rights of their own (gokintone/kintonesim/sample), and
// the other apps the rights kintone gives a new app.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { passwordClient, rejectsWithKintoneError, sim, tokenClient } from "./helpers.mjs";

const CUSTOMERS = sim.apps.customers;
const DEALS = sim.apps.deals;
const ORDERS = sim.apps.orders;
const GUEST = sim.apps.guestTasks;

const client = passwordClient();

const APP_FLAGS = [
  "includeSubs",
  "appEditable",
  "recordViewable",
  "recordAddable",
  "recordEditable",
  "recordDeletable",
  "recordImportable",
  "recordExportable",
];

/** Checks one entity of a rights list: its type and code as kintone's typings give them. */
function assertEntity(entity, types) {
  assert.ok(types.includes(entity.type), `entity type ${entity.type}`);
  if (entity.type === "CREATOR") {
    assert.equal(entity.code, null);
  } else {
    assert.equal(typeof entity.code, "string");
    assert.ok(entity.code.length > 0);
  }
}

describe("app access rights (app/acl.json)", () => {
  test("getAppAcl lists the rights in priority order, each flag a boolean", async () => {
    const { rights, revision } = await client.app.getAppAcl({ app: DEALS });
    assert.match(revision, /^\d+$/);
    for (const right of rights) {
      assertEntity(right.entity, ["USER", "GROUP", "ORGANIZATION", "CREATOR"]);
      assert.deepEqual(Object.keys(right).sort(), ["entity", ...APP_FLAGS].sort());
      for (const flag of APP_FLAGS) assert.equal(typeof right[flag], "boolean", flag);
    }
    assert.deepEqual(
      rights.map((r) => [r.entity.type, r.entity.code, r.appEditable, r.recordDeletable]),
      [
        ["USER", "john.smith", true, true],
        ["ORGANIZATION", "intl", false, false],
        ["ORGANIZATION", "sales", false, true],
        ["CREATOR", null, true, true],
        ["GROUP", "everyone", false, false],
      ],
    );
    assert.equal(rights[2].includeSubs, true);
    const preview = await client.app.getAppAcl({ app: DEALS, preview: true });
    assert.deepEqual(preview.rights, rights);
  });

  test("an app without rights of its own has a new app's: the creator all, everyone the records", async () => {
    const { rights } = await client.app.getAppAcl({ app: ORDERS });
    assert.deepEqual(rights, [
      {
        entity: { type: "CREATOR", code: null },
        includeSubs: false,
        appEditable: true,
        recordViewable: true,
        recordAddable: true,
        recordEditable: true,
        recordDeletable: true,
        recordImportable: true,
        recordExportable: true,
      },
      {
        entity: { type: "GROUP", code: "everyone" },
        includeSubs: false,
        appEditable: false,
        recordViewable: true,
        recordAddable: true,
        recordEditable: true,
        recordDeletable: true,
        recordImportable: false,
        recordExportable: false,
      },
    ]);
    const guest = passwordClient({ guestSpaceId: sim.guestSpace });
    assert.deepEqual((await guest.app.getAppAcl({ app: GUEST })).rights, rights);
  });

  test("errors: an unknown app, a missing app, a guest app outside its space, another app's token", async () => {
    await rejectsWithKintoneError(client.app.getAppAcl({ app: 9999 }), "GAIA_AP01", 404);
    await rejectsWithKintoneError(client.app.getAppAcl({}), "CB_VA01", 400);
    await rejectsWithKintoneError(client.app.getAppAcl({ app: GUEST }), "GAIA_IL23", 400);
    await rejectsWithKintoneError(tokenClient(sim.tokens.ordersFull).app.getAppAcl({ app: DEALS }), "GAIA_NO01", 403);
    const own = await tokenClient(sim.tokens.dealsView).app.getAppAcl({ app: DEALS });
    assert.equal(own.rights.length, 5);
  });
});

describe("field access rights (field/acl.json)", () => {
  test("getFieldAcl lists each field's entities with READ, WRITE or NONE, live and preview", async () => {
    const { rights, revision } = await client.app.getFieldAcl({ app: CUSTOMERS });
    assert.match(revision, /^\d+$/);
    assert.deepEqual(
      rights.map((r) => r.code),
      ["電話番号", "備考"],
    );
    for (const right of rights) {
      for (const e of right.entities) {
        assertEntity(e.entity, ["USER", "GROUP", "ORGANIZATION", "FIELD_ENTITY"]);
        assert.ok(["READ", "WRITE", "NONE"].includes(e.accessibility), e.accessibility);
        assert.equal(typeof e.includeSubs, "boolean");
      }
    }
    assert.deepEqual(rights[1].entities, [
      { accessibility: "WRITE", entity: { type: "FIELD_ENTITY", code: "担当者" }, includeSubs: false },
      { accessibility: "READ", entity: { type: "GROUP", code: "everyone" }, includeSubs: false },
    ]);
    const preview = await client.app.getFieldAcl({ app: CUSTOMERS, preview: true });
    assert.deepEqual(preview.rights, rights);
  });

  test("an app without field rights lists none", async () => {
    const { rights, revision } = await client.app.getFieldAcl({ app: ORDERS });
    assert.deepEqual(rights, []);
    assert.match(revision, /^\d+$/);
    await rejectsWithKintoneError(client.app.getFieldAcl({ app: 9999 }), "GAIA_AP01", 404);
  });
});

describe("record access rights (record/acl.json)", () => {
  test("getRecordAcl lists the conditions in priority order with their entities, live and preview", async () => {
    const { rights, revision } = await client.app.getRecordAcl({ app: DEALS, lang: "en" });
    assert.match(revision, /^\d+$/);
    assert.deepEqual(
      rights.map((r) => r.filterCond),
      ['stage in ("Lost")', "amount >= 1000000"],
    );
    for (const right of rights) {
      for (const e of right.entities) {
        assertEntity(e.entity, ["USER", "GROUP", "ORGANIZATION", "FIELD_ENTITY"]);
        assert.deepEqual(Object.keys(e).sort(), ["deletable", "editable", "entity", "includeSubs", "viewable"]);
      }
    }
    assert.deepEqual(rights[1].entities[0], {
      entity: { type: "FIELD_ENTITY", code: "owner" },
      viewable: true,
      editable: true,
      deletable: false,
      includeSubs: false,
    });
    const preview = await client.app.getRecordAcl({ app: DEALS, preview: true });
    assert.deepEqual(preview.rights, rights);
  });

  test("an app without record rights lists none; a bad lang is refused", async () => {
    assert.deepEqual((await client.app.getRecordAcl({ app: ORDERS })).rights, []);
    await rejectsWithKintoneError(client.app.getRecordAcl({ app: ORDERS, lang: "xx" }), "CB_VA01", 400);
  });
});
