// Conformance of the simulator's guest-user endpoints (guests.json POST and DELETE,
// space/guests.json PUT) with the official @kintone/rest-api-client. Run through ../run.sh.
//
// The guests are this file's own (their login names start with "conformance-"), so it may run
// in parallel with the other files against one simulator.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { passwordClient, rejectsWithKintoneError, sim, tokenClient } from "./helpers.mjs";

const client = passwordClient();
const guestSpaceClient = passwordClient({ guestSpaceId: sim.guestSpace });

/** A guest as addGuests takes it, with login name conformance-<n>@example.com. */
function guest(n, extra = {}) {
  return { name: `Guest ${n}`, code: `conformance-${n}@example.com`, password: `p@ss-${n}`, timezone: "Asia/Tokyo", ...extra };
}

describe("guest users", () => {
  test("addGuests, updateSpaceGuests and deleteGuests", async () => {
    const added = await client.space.addGuests({
      guests: [guest(1, { locale: "en", company: "Example Co.", surNameReading: "ges" }), guest(2)],
    });
    assert.deepEqual(added, {});
    const one = guest(1).code;
    const two = guest(2).code;
    assert.deepEqual(await guestSpaceClient.space.updateSpaceGuests({ id: sim.guestSpace, guests: [one, two] }), {});
    // deleteGuests sends its parameters in the query string; a deleted guest is gone.
    assert.deepEqual(await client.space.deleteGuests({ guests: [one] }), {});
    await rejectsWithKintoneError(guestSpaceClient.space.updateSpaceGuests({ id: sim.guestSpace, guests: [one] }), "CB_VA01", 400);
    await rejectsWithKintoneError(client.space.deleteGuests({ guests: [one] }), "CB_VA01", 400);
    assert.deepEqual(await client.space.deleteGuests({ guests: [two] }), {});
  });

  test("kintone's errors", async () => {
    // A required attribute missing, a login name that is not an email address, one used twice.
    const { password, ...noPassword } = guest(3);
    assert.ok(password);
    await rejectsWithKintoneError(client.space.addGuests({ guests: [noPassword] }), "CB_VA01", 400);
    await rejectsWithKintoneError(client.space.addGuests({ guests: [guest(4, { code: "not-an-address" })] }), "CB_VA01", 400);
    await rejectsWithKintoneError(client.space.addGuests({ guests: [guest(5), guest(5)] }), "CB_VA01", 400);
    // Nothing of a refused request is added.
    await rejectsWithKintoneError(client.space.deleteGuests({ guests: [guest(5).code] }), "CB_VA01", 400);
    // A guest space's guests are set through its guest path only; API tokens cannot call these.
    await rejectsWithKintoneError(client.space.updateSpaceGuests({ id: sim.guestSpace, guests: [] }), "GAIA_IL23", 400);
    await rejectsWithKintoneError(tokenClient(sim.tokens.dealsFull).space.addGuests({ guests: [guest(6)] }), "GAIA_NO01", 403);
  });
});
