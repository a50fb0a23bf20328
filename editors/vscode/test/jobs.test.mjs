// Unit tests of the extension's pure wording of jobs (src/jobs.ts), with node's own test runner:
// `npm test` in editors/vscode. The TypeScript module is bundled by esbuild (already a dependency of the build)
// into a temporary ES module first.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildSync } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dfls-jobs-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const out = path.join(dir, "jobs.mjs");
buildSync({ entryPoints: [path.join(here, "..", "src", "jobs.ts")], bundle: true, format: "esm", outfile: out });
const jobs = await import(pathToFileURL(out).href);

test("job types are called what the commands call them", () => {
  assert.equal(jobs.jobTitle("ApplyChanges"), "Publish");
  assert.equal(jobs.jobTitle("Execute"), "Refresh");
  assert.equal(jobs.jobTitle("SomethingNew"), "SomethingNew");
});

test("statuses are words", () => {
  assert.equal(jobs.statusWords("InProgress"), "in progress");
  assert.equal(jobs.statusWords("NotStarted"), "not started");
  assert.equal(jobs.statusWords("Completed"), "completed");
  assert.equal(jobs.statusWords("Canceled"), "cancelled");
  assert.equal(jobs.outcome("InProgress"), "running");
  assert.equal(jobs.outcome("Completed"), "succeeded");
  assert.equal(jobs.outcome("Cancelled"), "cancelled");
  assert.equal(jobs.outcome("Failed"), "failed");
});

test("the elapsed time ticks in seconds, then minutes, then hours", () => {
  assert.equal(jobs.elapsed(0), "0 s");
  assert.equal(jobs.elapsed(12_900), "12 s");
  assert.equal(jobs.elapsed(125_000), "2 min 05 s");
  assert.equal(jobs.elapsed(3_720_000), "1 h 02 min");
  assert.equal(jobs.jobLine({ item: "S", jobType: "Execute", status: "InProgress" }, 1_000, 13_000), "Refresh in progress · 12 s");
  assert.equal(jobs.jobLine({ item: "S", jobType: "Execute", status: "Completed" }, 1_000, 13_000), "Refresh completed");
});

test("Fabric's UTC times are shown in the local zone, with the zone", () => {
  // Seven digits of fractions and no zone, as Fabric writes them: UTC.
  const paris = jobs.localTime("2026-12-07T17:00:05.1234567", "en-GB", "Europe/Paris");
  assert.match(paris, /7 Dec 2026.*18:00:05.*(CET|GMT\+1)/);
  assert.match(jobs.localTime("2026-07-01T08:30:00Z", "en-US", "America/New_York"), /Jul 1, 2026.*04:30:00 AM EDT/);
  assert.match(jobs.localTime("2026-07-01T08:30:00+02:00", "en-GB", "UTC"), /06:30:00 UTC/);
  assert.equal(jobs.localTime("soon"), "soon");
  const details = jobs.jobDetails(
    { item: "Sales", jobType: "ApplyChanges", status: "Failed", startTime: "2026-12-07T17:00:00", failureReason: { message: "boom" } },
    "en-GB",
    "UTC",
  );
  assert.deepEqual(details, ["Sales: Publish failed", "started 7 Dec 2026, 17:00:00 UTC", "reason: boom"]);
});
