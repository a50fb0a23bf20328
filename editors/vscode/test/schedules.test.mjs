// Unit tests of what the Dataflow commands show and send (src/schedules.ts), with node's own test runner: `npm
// test` in editors/vscode. The TypeScript module is bundled by esbuild into a temporary ES module first.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dfls-schedules-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const out = path.join(dir, "schedules.mjs");
buildSync({ entryPoints: [path.join(here, "..", "src", "schedules.ts")], bundle: true, format: "esm", outfile: out });
const schedules = await import(pathToFileURL(out).href);

test("a Dataflow of dfls.list is a line with its newest job in the commands' words", () => {
  const line = schedules.dataflowLine({
    displayName: "Sales Orders",
    id: "x",
    newestJob: { jobType: "Execute", status: "InProgress" },
    localFolder: "/repo/Sales Orders.Dataflow",
  });
  assert.deepEqual(line, { label: "Sales Orders", description: "Refresh in progress", detail: "/repo/Sales Orders.Dataflow" });
  const remote = schedules.dataflowLine({ displayName: "Other", id: "y", newestJob: null, localFolder: null });
  assert.equal(remote.description, "no job yet");
  assert.equal(remote.detail, "not in this repository");
});

test("a parameter shows its type, whether it is required, its default", () => {
  const line = schedules.parameterLine({ name: "Region", type: "String", isRequired: false, defaultValue: "EMEA" });
  assert.deepEqual(line, { label: "Region", description: "String · optional", detail: 'default "EMEA"' });
  assert.equal(schedules.parameterLine({ name: "N", type: "Number", isRequired: true }).detail, "default none");
});

test("schedules are the server's words with the next run in the user's time", () => {
  const list = {
    displayName: "Sales Orders",
    jobType: "Execute",
    schedules: [
      { id: "a", enabled: true, configuration: { type: "Daily" } },
      { id: "b", enabled: false, configuration: { type: "Cron" } },
    ],
    summaries: ["daily at 08:00 (UTC)", "every 30 min (UTC)"],
    nextRuns: ["2026-12-08T08:00:00Z", null],
  };
  const [on, off] = schedules.scheduleLines(list, "en-GB", "Europe/Paris");
  assert.equal(on.label, "daily at 08:00 (UTC)");
  assert.match(on.description, /^on · next 8 Dec 2026, 09:00:00 (CET|GMT\+1)$/);
  assert.equal(on.detail, "a");
  assert.deepEqual(off, { label: "every 30 min (UTC)", description: "off", detail: "b" });
});

test("answers become the options of dfls.schedule add", () => {
  assert.deepEqual(schedules.timingOptions("every", " 60 ", undefined, "UTC"), { timeZone: "UTC", every: 60 });
  assert.deepEqual(schedules.timingOptions("daily", "08:00,17:30", undefined, "Europe/Paris"), {
    timeZone: "Europe/Paris",
    daily: "08:00,17:30",
  });
  assert.deepEqual(schedules.timingOptions("weekly", "mon,fri", "09:00", "UTC"), {
    timeZone: "UTC",
    weekly: "mon,fri",
    at: "09:00",
  });
  // What is not a number is sent as written: the server says why it is wrong.
  assert.deepEqual(schedules.timingOptions("every", "often", undefined, "UTC"), { timeZone: "UTC", every: "often" });
  assert.equal(typeof schedules.userTimeZone(), "string");
});
