// "Dataflow: List Dataflows", "Dataflow: Show parameters" and "Dataflow: Schedules": quick picks and input
// boxes over the server's `dfls.list`, `dfls.parameters` and `dfls.schedule` (the command line's code path and
// JSON). Every choice ends in one server command; what it answers (or why it refused) is shown as it says it.
// The wording of lines is in `schedules.ts`.

import * as vscode from "vscode";
import {
  ItemSchedule,
  KINDS,
  ListedDataflow,
  Parameter,
  ScheduleList,
  dataflowLine,
  parameterLine,
  scheduleLines,
  timingOptions,
  userTimeZone,
} from "./schedules";

/**
 * Runs a server command for a file (`uri`) with options (the target is added by the caller); resolves to the
 * answer, or `undefined` when it failed (the caller of `Run` has shown why).
 */
export type Run = (command: string, uri: vscode.Uri, options: Record<string, unknown>) => Promise<any | undefined>;

/** The Dataflow the commands are about: a file of its item folder, or a display name (`item`). */
export interface Subject {
  uri: vscode.Uri;
  item?: string;
}

function named(subject: Subject): Record<string, unknown> {
  return subject.item ? { item: subject.item } : {};
}

/** Dataflow: List Dataflows — the workspace's Dataflows; a pick offers what to do with one. */
export async function listDataflows(run: Run, uri: vscode.Uri): Promise<void> {
  const answer = await run("dfls.list", uri, {});
  if (!answer) return;
  const dataflows: ListedDataflow[] = answer.dataflows ?? [];
  if (dataflows.length === 0) {
    void vscode.window.showInformationMessage(`dfls: ${answer.message ?? "no Dataflows"}`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    dataflows.map((dataflow) => ({ ...dataflowLine(dataflow), dataflow })),
    { title: `Dataflows on ${answer.target ?? "the target"}`, placeHolder: "a Dataflow", matchOnDetail: true },
  );
  if (!picked) return;
  const dataflow = picked.dataflow;
  const actions = [
    ...(dataflow.localFolder ? [{ label: "$(go-to-file) Open its mashup.pq", id: "open" }] : []),
    { label: "$(symbol-parameter) Show parameters", id: "parameters" },
    { label: "$(calendar) Schedules", id: "schedules" },
  ];
  const action = await vscode.window.showQuickPick(actions, { title: dataflow.displayName });
  const subject: Subject = { uri, item: dataflow.displayName };
  if (action?.id === "open" && dataflow.localFolder) {
    const file = vscode.Uri.joinPath(vscode.Uri.file(dataflow.localFolder), "mashup.pq");
    await vscode.window.showTextDocument(file);
  } else if (action?.id === "parameters") {
    await showParameters(run, subject);
  } else if (action?.id === "schedules") {
    await schedules(run, subject);
  }
}

/** Dataflow: Show parameters — the public parameters of the Dataflow. */
export async function showParameters(run: Run, subject: Subject): Promise<void> {
  const answer = await run("dfls.parameters", subject.uri, named(subject));
  if (!answer) return;
  const parameters: Parameter[] | null = answer.parameters;
  if (!parameters || parameters.length === 0) {
    void vscode.window.showInformationMessage(`dfls: ${answer.message}`);
    return;
  }
  await vscode.window.showQuickPick(parameters.map(parameterLine), {
    title: `Public parameters of ${answer.displayName}`,
    matchOnDescription: true,
  });
}

/** Dataflow: Schedules — the refresh schedules; pick one to turn it on or off, change or remove it, or add one. */
export async function schedules(run: Run, subject: Subject): Promise<void> {
  const answer: ScheduleList | undefined = await run("dfls.schedule", subject.uri, { ...named(subject), action: "list" });
  if (!answer) return;
  const lines = scheduleLines(answer);
  const items = [
    ...answer.schedules.map((schedule, index) => ({ ...lines[index], schedule })),
    { label: "$(add) Add a schedule…", description: "", detail: undefined, schedule: undefined as ItemSchedule | undefined },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Refresh schedules of ${answer.displayName}${answer.schedules.length === 0 ? " (none yet)" : ""}`,
    placeHolder: "a schedule, or add one",
  });
  if (!picked) return;
  if (!picked.schedule) {
    await putSchedule(run, subject, undefined);
    return;
  }
  const schedule = picked.schedule;
  const action = await vscode.window.showQuickPick(
    [
      schedule.enabled ? { label: "$(debug-pause) Disable", id: "disable" } : { label: "$(play) Enable", id: "enable" },
      { label: "$(edit) Change when it runs…", id: "set" },
      { label: "$(trash) Remove", id: "remove" },
    ],
    { title: picked.label },
  );
  if (!action) return;
  if (action.id === "set") {
    await putSchedule(run, subject, schedule.id);
    return;
  }
  if (action.id === "remove") {
    const sure = await vscode.window.showWarningMessage(`Remove the schedule "${picked.label}"?`, { modal: true }, "Remove");
    if (sure !== "Remove") return;
  }
  await change(run, subject, { action: action.id, id: schedule.id });
}

/** Asks when a schedule runs (kind, times, days, time zone) and adds it, or sets schedule `id`. */
async function putSchedule(run: Run, subject: Subject, id: string | undefined): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    KINDS.map((way) => ({ label: way.label, description: `e.g. ${way.example}`, way })),
    { title: id ? "Change when it runs" : "Add a refresh schedule" },
  );
  if (!picked) return;
  const way = picked.way;
  const when = await vscode.window.showInputBox({ prompt: way.prompt, placeHolder: way.example });
  if (when === undefined) return;
  let at: string | undefined;
  if (way.kind === "weekly" || way.kind === "monthly") {
    at = await vscode.window.showInputBox({ prompt: "At what times of day (hh:mm, comma-separated)?", placeHolder: "08:00" });
    if (at === undefined) return;
  }
  const timeZone = await vscode.window.showInputBox({
    prompt: "In which time zone (an IANA name or a Windows id)?",
    value: userTimeZone(),
  });
  if (timeZone === undefined) return;
  const options = timingOptions(way.kind, when, at, timeZone);
  await change(run, subject, id ? { action: "set", id, ...options } : { action: "add", ...options });
}

async function change(run: Run, subject: Subject, options: Record<string, unknown>): Promise<void> {
  const answer = await run("dfls.schedule", subject.uri, { ...named(subject), ...options });
  if (answer) {
    void vscode.window.showInformationMessage(`dfls: Schedules: ${answer.message}`);
  }
}
