// What the Dataflow commands (List Dataflows, Show parameters, Schedules) show and send, without `vscode`, so
// that node's own test runner checks it (test/jobs.test.mjs). The server answers with the command line's JSON
// (`dfls ls`, `dfls parameters`, `dfls schedule list --output json`) plus words of its own (`summaries`,
// `nextRuns`); every rule about schedules is the server's: this only turns answers into lines and a user's
// answers into the options of `dfls.schedule`.

import { jobTitle, localTime, statusWords } from "./jobs";

/** A Dataflow of `dfls.list`. */
export interface ListedDataflow {
  displayName: string;
  id: string;
  description?: string;
  newestJob?: { jobType: string; status: string; endTimeUtc?: string | null } | null;
  localFolder?: string | null;
}

/** A public parameter of `dfls.parameters`. */
export interface Parameter {
  name: string;
  type: string;
  isRequired: boolean;
  description?: string | null;
  defaultValue?: unknown;
}

/** Fabric's `ItemSchedule`, as `dfls.schedule` `list` answers them. */
export interface ItemSchedule {
  id: string;
  enabled: boolean;
  configuration: { type: string; startDateTime?: string; endDateTime?: string; localTimeZoneId?: string };
}

/** The answer of `dfls.schedule` `list`. */
export interface ScheduleList {
  displayName: string;
  jobType: string;
  schedules: ItemSchedule[];
  summaries?: string[];
  nextRuns?: (string | null)[];
}

/** A line of a list for people: what it is, beside it, and below it. */
export interface Line {
  label: string;
  description?: string;
  detail?: string;
}

/** A Dataflow as a line: its name, its newest job, where its folder is. */
export function dataflowLine(dataflow: ListedDataflow): Line {
  const job = dataflow.newestJob;
  return {
    label: dataflow.displayName,
    description: job ? `${jobTitle(job.jobType)} ${statusWords(job.status)}` : "no job yet",
    detail: dataflow.localFolder ? dataflow.localFolder : "not in this repository",
  };
}

/** A parameter as a line: `Region`, `String · optional`, `default "EMEA"`. */
export function parameterLine(parameter: Parameter): Line {
  const shown = parameter.defaultValue === undefined || parameter.defaultValue === null ? "none" : JSON.stringify(parameter.defaultValue);
  const description = parameter.description ? ` · ${parameter.description}` : "";
  return {
    label: parameter.name,
    description: `${parameter.type} · ${parameter.isRequired ? "required" : "optional"}`,
    detail: `default ${shown}${description}`,
  };
}

/**
 * The schedules of a list as lines: the server's words for each, on or off, the next run in the user's time
 * (`locale` and `timeZone` are for tests).
 */
export function scheduleLines(list: ScheduleList, locale?: string, timeZone?: string): Line[] {
  return list.schedules.map((schedule, index) => {
    const next = list.nextRuns?.[index];
    return {
      label: list.summaries?.[index] ?? schedule.configuration.type,
      description: schedule.enabled ? (next ? `on · next ${localTime(next, locale, timeZone)}` : "on · no next run") : "off",
      detail: `${schedule.id}`,
    };
  });
}

/** The ways a schedule can run, as `dfls schedule add` takes them. */
export type Kind = "every" | "daily" | "weekly" | "monthly";

export const KINDS: ReadonlyArray<{ kind: Kind; label: string; prompt: string; example: string }> = [
  { kind: "every", label: "Every N minutes", prompt: "Every how many minutes?", example: "60" },
  { kind: "daily", label: "Daily", prompt: "At what times of day (hh:mm, comma-separated)?", example: "08:00,17:30" },
  { kind: "weekly", label: "Weekly", prompt: "On which days (monday, ..., comma-separated)?", example: "monday,friday" },
  { kind: "monthly", label: "Monthly", prompt: "On which day (1 to 31, or first-monday ...)?", example: "first-monday" },
];

/**
 * The options of `dfls.schedule` `add` (or `set`, with an id) from a user's answers: `when` is the answer to the
 * kind's prompt, `at` the times of a weekly or monthly schedule, `timeZone` a Windows id or an IANA name.
 */
export function timingOptions(kind: Kind, when: string, at: string | undefined, timeZone: string): Record<string, unknown> {
  const timing: Record<string, unknown> = { timeZone: timeZone.trim() };
  switch (kind) {
    case "every": {
      const minutes = Number(when.trim());
      timing.every = Number.isInteger(minutes) ? minutes : when.trim();
      break;
    }
    case "daily":
      timing.daily = when.trim();
      break;
    case "weekly":
      timing.weekly = when.trim();
      timing.at = (at ?? "").trim();
      break;
    case "monthly":
      timing.monthly = when.trim();
      timing.at = (at ?? "").trim();
      break;
  }
  return timing;
}

/** The user's time zone (an IANA name, which the server maps to Fabric's Windows ids), else UTC. */
export function userTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
