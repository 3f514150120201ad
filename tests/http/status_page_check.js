// Loads vigy's status page in headless Chromium and checks that it lists a
// vigy, then shows a run committed by another process without a reload.
// Talks the DevTools protocol over a pipe (--remote-debugging-pipe), so it
// needs nothing beyond Node and Debian's chromium.
//
//   node status_page_check.js CHROMIUM URL VIGY -- COMMAND...
//
// COMMAND (e.g. `vigy tick VIGY --json`) is run once the vigy is listed; its
// stdout is the run as JSON. Prints one JSON line: {"listed", "run",
// "shown", "reloaded"}; exits 0 only when the run was shown without a reload.
"use strict";
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [chromiumPath, url, vigy, separator, ...command] = process.argv.slice(2);
if (separator !== "--" || command.length === 0) {
  console.error("usage: node status_page_check.js CHROMIUM URL VIGY -- COMMAND...");
  process.exit(2);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vigy-chromium-"));
const chromium = spawn(chromiumPath, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
  "--user-data-dir=" + profile, "about:blank",
], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"], detached: true });
const toBrowser = chromium.stdio[3];
const fromBrowser = chromium.stdio[4];

let nextId = 1;
const waiting = new Map();
let buffered = "";
fromBrowser.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  let end;
  while ((end = buffered.indexOf("\0")) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(JSON.stringify(message.error))); else resolve(message.result);
    }
  }
});

function send(method, params = {}, sessionId = undefined) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  toBrowser.write(JSON.stringify(message) + "\0");
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(evaluate, expression, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await evaluate(expression)) return true;
    await sleep(100);
  }
  return false;
}

let finished = false;
// Prints the report, then ends Chromium (its whole process group) and waits
// for it before removing its profile.
function finish(code, report) {
  if (finished) return;
  finished = true;
  console.log(JSON.stringify(report));
  const done = () => {
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      // A profile left in the temporary directory does not change the result.
    }
    process.exit(code);
  };
  if (chromium.exitCode !== null || chromium.signalCode !== null) return done();
  chromium.once("exit", done);
  // Chromium's own children (renderer, GPU, zygote) are in its process group.
  try { process.kill(-chromium.pid, "SIGKILL"); } catch (error) { chromium.kill("SIGKILL"); }
}

async function main() {
  const { targetInfos } = await send("Target.getTargets");
  const page = targetInfos.find((target) => target.type === "page");
  const { sessionId } = await send("Target.attachToTarget", { targetId: page.targetId, flatten: true });
  const evaluate = async (expression) =>
    (await send("Runtime.evaluate", { expression, returnByValue: true }, sessionId)).result.value;
  await send("Page.enable", {}, sessionId);
  await send("Page.navigate", { url }, sessionId);

  const report = { listed: false, run: null, shown: false, reloaded: true };
  const row = `document.querySelector('#vigies tr[data-vigy=${JSON.stringify(vigy)}]')`;
  report.listed = await waitFor(evaluate, `!!${row}`, 20000);
  if (!report.listed) return finish(1, report);
  // Set on this document only: a reload would lose it.
  await evaluate("window.vigyCheckMarker = 'loaded once'; true");
  // Wait for the live stream to be open, so the run is not missed.
  await waitFor(evaluate, "document.getElementById('live').className === 'on'", 10000);

  const run = JSON.parse(execFileSync(command[0], command.slice(1), { encoding: "utf8" }));
  report.run = run.id;
  report.shown = await waitFor(evaluate,
    `!!document.querySelector('#runs tr[data-run=${JSON.stringify(run.id)}]')`, 10000);
  report.reloaded = (await evaluate("window.vigyCheckMarker")) !== "loaded once";
  report.row = await evaluate(`${row} ? ${row}.innerText : ''`);
  finish(report.shown && !report.reloaded ? 0 : 1, report);
}

setTimeout(() => finish(1, { error: "timed out" }), 60000);
main().catch((error) => finish(1, { error: String(error) }));
