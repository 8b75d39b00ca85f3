// The official @kintone/rest-api-client as a contender of benchmarks/read_bench.py.
//
//   node contender.mjs --mode read --url URL --user U --password P --app ID
//   node contender.mjs --mode write --url URL --user U --password P --app ID --rows FILE
//
// read:  getAllRecords({app}) of every record and field. Without orderBy the client pages by
//        record id ("$id > last order by $id asc limit 500", one request after the other); it
//        uses a cursor only when orderBy is given.
// write: addAllRecords of the records in FILE (a JSON list of {field code: value} for the Deals
//        app, written by the harness; read before the clock starts): bulkRequests of 20 x 100
//        records.
// Prints one line of JSON: {"seconds": time from creating the client to the last record, "rows"}.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { KintoneRestAPIClient } from "@kintone/rest-api-client";

const { values: opt } = parseArgs({
  options: {
    mode: { type: "string" },
    url: { type: "string" },
    user: { type: "string" },
    password: { type: "string" },
    app: { type: "string" },
    rows: { type: "string" },
  },
});

/** The records to add: {field code: {value}} from the harness's {field code: value} rows,
 * values as kintone writes them (strings, numbers too). */
async function readRecords(file) {
  const rows = JSON.parse(await readFile(file, "utf8"));
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([code, value]) => [code, { value: String(value) }])));
}

async function main() {
  const records = opt.mode === "write" ? await readRecords(opt.rows) : null;
  const started = process.hrtime.bigint();
  const client = new KintoneRestAPIClient({
    baseUrl: opt.url,
    auth: { username: opt.user, password: opt.password },
  });
  let rows;
  if (opt.mode === "read") {
    rows = (await client.record.getAllRecords({ app: opt.app })).length;
  } else if (opt.mode === "write") {
    rows = (await client.record.addAllRecords({ app: opt.app, records })).records.length;
  } else {
    throw new Error(`unknown --mode ${opt.mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, rows }) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
