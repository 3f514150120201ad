// Drives `vigy mcp` with the official MCP TypeScript SDK's client over stdio:
// connects (negotiating the protocol version), lists the tools, registers a
// vigy, ticks it twice, inspects it, and checks every answer. Exits 0 when
// all holds, 1 (with the reason on stderr) otherwise.
//
//   node client_test.mjs PATH/TO/vigy
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const binary = process.argv[2];
if (!binary || !existsSync(binary)) {
  console.error("usage: node client_test.mjs PATH/TO/vigy");
  process.exit(2);
}

const EXPECTED_TOOLS = [
  "vigy_register", "vigy_list", "vigy_inspect", "vigy_tick", "vigy_enable", "vigy_disable",
  "vigy_delete", "vigy_runs", "vigy_kv_get", "vigy_kv_set", "vigy_check", "vigy_run",
];

// Counts its ticks in the kv and asks for one action.
const PROGRAM = `(define n (vigy-incr "runs"))
(vigy-log "info" (str "run " n))
(vigy-noop)
`;

// The tool's structured result, checked against its text content.
async function call(client, name, args, { expectError = false } = {}) {
  const result = await client.callTool({ name, arguments: args });
  assert.equal(result.isError, expectError, `${name}: isError ${JSON.stringify(result)}`);
  assert.equal(result.content.length, 1, `${name}: one content item`);
  assert.equal(result.content[0].type, "text");
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent,
                   `${name}: the text content is the structured content`);
  return result.structuredContent;
}

const dir = mkdtempSync(join(tmpdir(), "vigy-mcp-client-"));
const store = join(dir, "vigy.db");
const transport = new StdioClientTransport({
  command: binary,
  args: ["--db", store, "mcp"],
  stderr: "inherit",
});
const client = new Client({ name: "vigy-mcp-client-test", version: "1.0.0" });

try {
  await client.connect(transport);
  assert.equal(client.getServerVersion().name, "vigy");
  assert.ok(client.getServerCapabilities().tools, "the server offers tools");
  await client.ping();

  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), EXPECTED_TOOLS);
  const register = tools.find((t) => t.name === "vigy_register");
  assert.deepEqual(register.inputSchema.required, ["name", "program"]);
  for (const field of ["name", "program", "tick_interval_ms", "enabled", "labels"]) {
    assert.ok(field in register.inputSchema.properties, `vigy_register takes ${field}`);
  }

  const vigy = await call(client, "vigy_register", {
    name: "web", program: PROGRAM, tick_interval_ms: 500, labels: { team: "a" },
  });
  assert.equal(vigy.name, "web");
  assert.match(vigy.id, /^[0-9a-f]{16}$/);
  assert.equal(vigy.schedule.every_ms, 500);
  assert.deepEqual(vigy.labels, { team: "a" });
  assert.ok(existsSync(store), "the store was created");

  const first = await call(client, "vigy_tick", { id: "web" });
  assert.equal(first.result, "ok");
  assert.equal(first.tick, 1);
  assert.equal(first.vigy_id, vigy.id);
  assert.deepEqual(first.actions.map((a) => a.kind), ["noop"]);
  assert.deepEqual(first.log.map((l) => l.message), ["run 1"]);
  const second = await call(client, "vigy_tick", { id: vigy.id });
  assert.equal(second.tick, 2);
  assert.deepEqual(second.log.map((l) => l.message), ["run 2"]);

  const inspected = await call(client, "vigy_inspect", { id: "web" });
  assert.equal(inspected.vigy.id, vigy.id);
  assert.equal(inspected.kv.runs, 2);
  assert.deepEqual(inspected.recent_runs.map((r) => r.tick), [2, 1]);

  const listed = await call(client, "vigy_list", { label_selector: "team=a" });
  assert.deepEqual(listed.vigies.map((v) => v.name), ["web"]);

  const missing = await call(client, "vigy_tick", { id: "ghost" }, { expectError: true });
  assert.equal(missing.error.code, "not_found");
  assert.equal(missing.error.exit_code, 3);

  const check = await call(client, "vigy_check", { program: "(define x 1)\n(car 1 2)\n" });
  assert.equal(check.ok, false);
  assert.deepEqual(check.errors.map((e) => [e.line, e.col]), [[2, 1]]);

  // A tool the server does not have is a protocol error (-32602).
  await assert.rejects(client.callTool({ name: "vigy_nope", arguments: {} }),
                       (e) => e.code === -32602);

  console.log(`ok: ${tools.length} tools, 2 ticks, inspect, list, errors`);
} catch (error) {
  console.error(`FAIL: ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
