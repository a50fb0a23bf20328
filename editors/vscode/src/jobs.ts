// How jobs are worded in the status bar, the job notification and the output channel. Pure (no `vscode`), so
// that node's own test runner checks it (test/jobs.test.mjs).

/** Params of the server's `dfls/jobStatus` notification. */
export interface JobStatus {
  item: string;
  folder?: string;
  jobId?: string;
  jobType: string;
  status: string;
  startTime?: string | null;
  endTime?: string | null;
  failureReason?: string | { message?: string; errorCode?: string } | null;
}

/** Where a job is: still running, or how it ended. */
export type Outcome = "running" | "succeeded" | "failed" | "cancelled";

/** What people call a Fabric job type, as the commands do: `ApplyChanges` is Publish, `Execute` is Refresh. */
export function jobTitle(jobType: string): string {
  switch (jobType.toLowerCase()) {
    case "applychanges":
    case "publish":
      return "Publish";
    case "execute":
    case "refresh":
      return "Refresh";
    default:
      return jobType;
  }
}

/** A Fabric job status in words: `InProgress` is "in progress", `NotStarted` "not started". */
export function statusWords(status: string): string {
  switch (status.toLowerCase()) {
    case "deduped":
      return "skipped (the same job was already running)";
    case "canceled":
      return "cancelled";
    default:
      return status.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  }
}

export function outcome(status: string): Outcome {
  if (/^(completed|succeeded)$/i.test(status)) return "succeeded";
  if (/^(cancelled|canceled)$/i.test(status)) return "cancelled";
  if (/^(failed|deduped)$/i.test(status)) return "failed";
  return "running";
}

/** A duration as people read it: "8 s", "2 min 05 s", "1 h 02 min". */
export function elapsed(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * A time of Fabric's in the user's time zone, with the zone named: Fabric's `startTimeUtc` and `endTimeUtc` are
 * UTC, often written without a zone and with seven digits of fractions (`2026-12-07T17:00:00.1234567`). A text
 * that is not a time is returned as it is. `locale` and `timeZone` are for tests; by default, the user's.
 */
export function localTime(text: string, locale?: string, timeZone?: string): string {
  const date = fabricTime(text);
  if (!date) return text;
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
    timeZone,
  }).format(date);
}

/** A time of Fabric's (UTC when it names no zone), or `undefined` for a text that is not a time. */
export function fabricTime(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ? match[2].slice(0, 4) : "";
  const date = new Date(`${match[1]}${fraction}${match[3] ?? "Z"}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The failure of a job as a sentence, if it failed with a reason. */
export function failureText(job: JobStatus): string | undefined {
  const reason = job.failureReason;
  if (!reason) return undefined;
  if (typeof reason === "string") return reason;
  return reason.message ?? reason.errorCode ?? undefined;
}

/** "Refresh in progress · 12 s", "Publish completed": the job's line, with the time since `since` while it runs. */
export function jobLine(job: JobStatus, since: number | undefined, now: number): string {
  const words = `${jobTitle(job.jobType)} ${statusWords(job.status)}`;
  return outcome(job.status) === "running" && since !== undefined ? `${words} · ${elapsed(now - since)}` : words;
}

/** The tooltip of a job: what, when (local times with their zone), and why it failed. */
export function jobDetails(job: JobStatus, locale?: string, timeZone?: string): string[] {
  const reason = failureText(job);
  return [
    `${job.item}: ${jobTitle(job.jobType)} ${statusWords(job.status)}`,
    job.startTime ? `started ${localTime(job.startTime, locale, timeZone)}` : undefined,
    job.endTime ? `ended ${localTime(job.endTime, locale, timeZone)}` : undefined,
    reason ? `reason: ${reason}` : undefined,
  ].filter((line): line is string => line !== undefined);
}
