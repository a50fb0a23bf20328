// The dfls extension: starts `dfls lsp` and connects it to VS Code. Thin by design: every feature (diagnostics,
// completion, navigation, formatting, the REST actions) is the server's; this file wires VS Code to it, says once
// and clearly when the server cannot run, follows the jobs the commands start (status bar, a cancellable
// notification), keeps a log of every action in the "dfls" output channel, and decides which `.pq` files are
// `dataflow-m`. The wording of jobs is in `jobs.ts`; the Dataflow commands (list, parameters, schedules, and the
// "Next refresh" lens's click) are in `manage.ts`.

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  ClientCapabilities,
  ErrorCodes,
  ExecuteCommandRequest,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  StaticFeature,
  TransportKind,
} from "vscode-languageclient/node";
import { JobStatus, elapsed, fabricTime, failureText, jobDetails, jobLine, jobTitle, outcome, statusWords } from "./jobs";
import { listDataflows, schedules, showParameters } from "./manage";

const LANGUAGE = "dataflow-m";

/** Where "Install…" leads: the install section of dfls's README. */
const INSTALL_URL = "https://github.com/dfls/dfls#install";

/** A REST action: the VS Code command, the server's command (`workspace/executeCommand`), a title. */
interface Action {
  id: string;
  command: string;
  title: string;
}

const ACTIONS: ReadonlyArray<Action> = [
  { id: "dfls.action.push", command: "dfls.push", title: "Push" },
  { id: "dfls.action.publish", command: "dfls.publish", title: "Publish" },
  { id: "dfls.action.refresh", command: "dfls.refresh", title: "Refresh" },
  { id: "dfls.action.status", command: "dfls.status", title: "Show job status" },
  { id: "dfls.action.cancel", command: "dfls.cancel", title: "Cancel" },
  { id: "dfls.action.pull", command: "dfls.pull", title: "Pull" },
];
const CANCEL = ACTIONS.find((action) => action.command === "dfls.cancel")!;

/** The JSON parts of a Dataflow item that the server understands. */
const JSON_PARTS = ["queryMetadata.json", ".platform", ".schedules", "dataflow-content.json"];

/**
 * dfls's codes that VS Code's own JSON support reports too in an open JSON document, with or without a schema:
 * a syntax error (J100) and a duplicate key (J105). One report of a mistake is enough: in an open JSON document
 * they are VS Code's while its JSON validation is on (`json.validate.enable`); the item's schema and cross-file
 * rules, and every problem of a closed file, are dfls's alone (the extension contributes no `jsonValidation`).
 */
const REPORTED_BY_VSCODE_JSON = new Set(["J100", "J105"]);

/** What a refusal's `data` offers: a button that runs the command again with these options. */
interface Retry {
  title: string;
  options: Record<string, unknown>;
}

/** A job started by Publish or Refresh, followed until it ends. */
interface Followed {
  uri: vscode.Uri;
  item?: string;
  since: number;
  last?: JobStatus;
  /** Ends the job's notification. */
  end: () => void;
  progress?: vscode.Progress<{ message?: string }>;
}

let client: LanguageClient | undefined;
/** The extension's folder: a platform-specific .vsix carries the dfls binary in its `server/`. */
let extensionPath = "";
/** The start in progress, which a command run meanwhile waits for. */
let starting: Promise<void> | undefined;
/** Why the server is not running, when it is not. */
let notRunning: string | undefined;
/** Whether the message that the server cannot run is on screen (a failed start shows it once, not stacked). */
let setupShown = false;
let statusItem: vscode.StatusBarItem | undefined;
let output: vscode.LogOutputChannel;
/** Followed jobs by job id; and the last state of jobs seen before their command's answer named them. */
const followed = new Map<string, Followed>();
const early = new Map<string, JobStatus>();
/** The job shown in the status bar, and the timer that ticks its elapsed time. */
let shown: { job: JobStatus; since: number } | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("dfls", { log: true });
  statusItem = vscode.window.createStatusBarItem("dfls.job", vscode.StatusBarAlignment.Left, 10);
  statusItem.name = "dfls job";
  statusItem.command = "dfls.action.status";
  context.subscriptions.push(output, statusItem, { dispose: stopTicking });

  for (const action of ACTIONS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(action.id, (resource?: vscode.Uri) => execute(action, resource)),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand("dfls.action.list", (resource?: vscode.Uri) =>
      withSubject("List Dataflows", resource, true, (uri) => listDataflows(runManage, uri)),
    ),
    vscode.commands.registerCommand("dfls.action.parameters", (resource?: vscode.Uri) =>
      withSubject("Show parameters", resource, false, (uri) => showParameters(runManage, { uri })),
    ),
    vscode.commands.registerCommand("dfls.action.schedules", (resource?: vscode.Uri) =>
      withSubject("Schedules", resource, false, (uri) => schedules(runManage, { uri })),
    ),
    vscode.commands.registerCommand("dfls.action.restart", restart),
    vscode.workspace.onDidOpenTextDocument(claim),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("dfls.server.path")) {
        output.info("dfls.server.path changed: restarting the language server");
        await restart();
      }
    }),
  );
  vscode.workspace.textDocuments.forEach(claim);
  await vscode.commands.executeCommand("setContext", "dfls.active", true);
  starting = start();
  await starting;
}

export async function deactivate(): Promise<void> {
  stopTicking();
  await stop();
}

/**
 * Gives a `.pq`/`.pqm` file outside a Dataflow item the `dataflow-m` language as `dfls.pqFiles` says.
 * (`mashup.pq` and the M files of `*.Dataflow` folders are `dataflow-m` by the contributed patterns.)
 */
function claim(document: vscode.TextDocument): void {
  const extension = path.extname(document.uri.path).toLowerCase();
  if (document.languageId === LANGUAGE || (extension !== ".pq" && extension !== ".pqm")) {
    return;
  }
  const mode = vscode.workspace.getConfiguration("dfls").get<string>("pqFiles", "unclaimed");
  const unclaimed = document.languageId === "plaintext";
  if ((mode === "unclaimed" && unclaimed) || mode === "always") {
    void vscode.languages.setTextDocumentLanguage(document, LANGUAGE);
  }
}

/**
 * The server binary: `dfls.server.path` when the user set it; else the binary a platform-specific .vsix bundles
 * (`server/dfls`, as rust-analyzer's extension bundles its server); else `dfls` on PATH.
 */
function serverPath(): string {
  const setting = vscode.workspace.getConfiguration("dfls").inspect<string>("server.path");
  const chosen = setting?.workspaceFolderValue ?? setting?.workspaceValue ?? setting?.globalValue;
  if (chosen) {
    return chosen;
  }
  const bundled = path.join(extensionPath, "server", process.platform === "win32" ? "dfls.exe" : "dfls");
  return fs.existsSync(bundled) ? bundled : "dfls";
}

async function restart(): Promise<void> {
  await (starting ?? Promise.resolve());
  await stop();
  starting = start();
  await starting;
}

/**
 * Why `command` cannot run as the server, or `undefined` when `command --version` runs. Asked before the
 * language client starts: a client that fails to start shows a toast of its own, and one message is enough.
 */
function probe(command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, ["--version"], { timeout: 30_000, windowsHide: true }, (error, stdout) => {
      if (!error) {
        output.info(`found ${stdout.trim() || command}`);
        resolve(undefined);
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        resolve(
          path.isAbsolute(command) || command.includes("/") || command.includes("\\")
            ? `\`${command}\` does not exist`
            : `\`${command}\` is not on PATH`,
        );
      } else if (code === "EACCES") {
        resolve(`\`${command}\` is not executable`);
      } else {
        resolve(`\`${command} --version\` failed: ${error.message}`);
      }
    });
  });
}

async function start(): Promise<void> {
  const command = serverPath();
  output.info(`starting \`${command} lsp\``);
  const problem = await probe(command);
  if (problem) {
    serverMissing(problem);
    return;
  }
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: LANGUAGE },
      { scheme: "untitled", language: LANGUAGE },
      ...JSON_PARTS.map((name) => ({ scheme: "file", pattern: `**/${name}` })),
      { scheme: "file", pattern: "**/*.Dataflow/*.mdf" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
    middleware: {
      // The server's Dataflow commands, run from its code lenses ("Next refresh"), open their quick picks.
      executeCommand: async (command, args, next) => {
        const uri = typeof args[0] === "string" ? vscode.Uri.parse(args[0]) : undefined;
        if (uri && command === "dfls.schedule") return schedules(runManage, { uri });
        if (uri && command === "dfls.parameters") return showParameters(runManage, { uri });
        if (uri && command === "dfls.list") return listDataflows(runManage, uri);
        return next(command, args);
      },
      provideDiagnostics: async (document, previousResultId, token, next) => {
        const report = await next(document, previousResultId, token);
        if (report && report.kind === "full" && !(document instanceof vscode.Uri) && jsonValidated(document)) {
          report.items = report.items.filter((diagnostic) => !REPORTED_BY_VSCODE_JSON.has(codeOf(diagnostic)));
        }
        return report;
      },
    },
  };
  const next = new LanguageClient("dfls", "dfls", serverOptions, clientOptions);
  next.registerFeature(new NoServerProgress());
  next.onNotification("dfls/jobStatus", onJobStatus);
  try {
    await next.start();
    client = next;
    notRunning = undefined;
    output.info(`the language server is running (\`${command} lsp\`)`);
  } catch (error) {
    void next.dispose().catch(() => undefined);
    serverMissing(`\`${command} lsp\` did not start: ${errorText(error)}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
    output.info("the language server stopped");
  }
}

/** The server cannot run: says so once, with the ways out. */
function serverMissing(problem: string): void {
  notRunning = problem;
  output.error(`the language server is not running: ${problem}`);
  if (!setupShown) {
    setupShown = true;
    offerSetup(`dfls: the language server is not running: ${problem}.`, () => (setupShown = false));
  }
}

/**
 * One message with the ways to get a server: install dfls, point `dfls.server.path` at it, try again. A command
 * run without a server always gets one: it answers what the user just asked.
 */
function offerSetup(message: string, closed: () => void = () => undefined): void {
  const install = "Install…";
  const settings = "Set dfls.server.path";
  const retry = "Retry";
  void vscode.window.showErrorMessage(message, install, settings, retry).then(async (choice) => {
    closed();
    if (choice === install) {
      await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
    } else if (choice === settings) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "dfls.server.path");
    } else if (choice === retry) {
      await restart();
    }
  });
}

/**
 * Leaves the server's own work-done progress off: the extension follows jobs in a notification whose Cancel
 * cancels the job, and VS Code shows a server's progress in the status bar without one, so both would show.
 */
class NoServerProgress implements StaticFeature {
  getState(): FeatureState {
    return { kind: "static" };
  }
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = { ...capabilities.window, workDoneProgress: false };
  }
  initialize(): void {}
  clear(): void {}
}

/** Whether VS Code's own JSON support validates this open document. */
function jsonValidated(document: vscode.TextDocument): boolean {
  return (
    (document.languageId === "json" || document.languageId === "jsonc") &&
    vscode.workspace.getConfiguration("json", document).get<boolean>("validate.enable", true)
  );
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === "object" && code !== null ? code.value : (code ?? ""));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a REST action on the server for an item: the document's URI, the target when one is set, `options`. */
async function execute(action: Action, resource?: vscode.Uri, options: Record<string, unknown> = {}): Promise<void> {
  const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    output.warn(`${action.title}: no file of a Dataflow item is open`);
    void vscode.window.showInformationMessage(`dfls: ${action.title} needs an open file of a Dataflow item.`);
    return;
  }
  await starting;
  const running = client;
  if (!running) {
    output.error(`${action.title} ${uri.fsPath}: not run, the language server is not running (${notRunning})`);
    offerSetup(`dfls: ${action.title} needs the dfls language server, which is not running: ${notRunning}.`);
    return;
  }
  const target = vscode.workspace.getConfiguration("dfls").get<string | null>("target");
  const settings = { ...(target ? { target } : {}), ...options };
  const args: unknown[] = [uri.toString()];
  if (Object.keys(settings).length > 0) {
    args.push(settings);
  }
  const shownOptions = Object.keys(settings).length > 0 ? ` ${JSON.stringify(settings)}` : "";
  output.info(`${action.title} ${uri.fsPath}${shownOptions}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `dfls: ${action.title}` },
      () => running.sendRequest(ExecuteCommandRequest.type, { command: action.command, arguments: args }),
    );
    const text = (typeof result === "string" ? result : (result as { message?: string } | null)?.message) ?? "done";
    output.info(`${action.title}: ${text}`);
    const job = /\(job ([^)\s]+)\)/.exec(text)?.[1];
    if (job && (action.command === "dfls.publish" || action.command === "dfls.refresh")) {
      follow(job, uri, action.title);
    } else {
      void vscode.window.showInformationMessage(`dfls: ${action.title}: ${text}`);
    }
  } catch (error) {
    if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
      output.warn(`${action.title}: this dfls does not run \`${action.command}\``);
      void vscode.window.showWarningMessage(
        `dfls: ${action.title}: this dfls does not run \`${action.command}\` yet; a newer dfls does.`,
      );
      return;
    }
    const data = error instanceof ResponseError ? (error.data as { message?: string; retry?: Retry } | undefined) : undefined;
    const reason = data?.message ?? errorText(error);
    output.error(`${action.title} failed: ${errorText(error)}`);
    const retry = data?.retry;
    const choice = retry
      ? await vscode.window.showErrorMessage(`dfls: ${action.title} failed: ${reason}`, retry.title)
      : await vscode.window.showErrorMessage(`dfls: ${action.title} failed: ${reason}`);
    if (retry && choice === retry.title) {
      output.info(`${retry.title}: ${action.title} again with ${JSON.stringify(retry.options)}`);
      await execute(action, uri, { ...options, ...retry.options });
    }
  }
}

/**
 * Runs `body` with the file a Dataflow command is about: the resource it was run on, else the active editor's
 * file, else (when `anyFile`, for listing) the first workspace folder, which `dfls.toml` is found from.
 */
async function withSubject(
  title: string,
  resource: vscode.Uri | undefined,
  anyFile: boolean,
  body: (uri: vscode.Uri) => Promise<void>,
): Promise<void> {
  const folder = anyFile ? vscode.workspace.workspaceFolders?.[0]?.uri : undefined;
  const uri = resource instanceof vscode.Uri ? resource : (vscode.window.activeTextEditor?.document.uri ?? folder);
  if (!uri) {
    void vscode.window.showInformationMessage(`dfls: ${title} needs an open file of a Dataflow item.`);
    return;
  }
  await body(uri);
}

/** Runs one of the server's Dataflow commands and returns its answer; shows why when it fails. */
async function runManage(command: string, uri: vscode.Uri, options: Record<string, unknown>): Promise<any> {
  await starting;
  const running = client;
  if (!running) {
    offerSetup(`dfls: \`${command}\` needs the dfls language server, which is not running: ${notRunning}.`);
    return undefined;
  }
  const target = vscode.workspace.getConfiguration("dfls").get<string | null>("target");
  const settings = { ...(target ? { target } : {}), ...options };
  output.info(`${command} ${uri.fsPath} ${JSON.stringify(settings)}`);
  try {
    const answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `dfls: ${command}` },
      () => running.sendRequest(ExecuteCommandRequest.type, { command, arguments: [uri.toString(), settings] }),
    );
    output.info(`${command}: ${(answer as { message?: string } | null)?.message ?? "done"}`);
    return answer;
  } catch (error) {
    if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
      void vscode.window.showWarningMessage(`dfls: this dfls does not run \`${command}\` yet; a newer dfls does.`);
      return undefined;
    }
    output.error(`${command} failed: ${errorText(error)}`);
    void vscode.window.showErrorMessage(`dfls: ${command} failed: ${errorText(error)}`);
    return undefined;
  }
}

/** Follows a started job in a notification that ticks its elapsed time and whose Cancel cancels the job. */
function follow(jobId: string, uri: vscode.Uri, title: string): void {
  const job: Followed = { uri, since: Date.now(), end: () => undefined };
  followed.set(jobId, job);
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `dfls: ${title}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        const tick = setInterval(() => report(job), 1000);
        job.progress = progress;
        job.end = () => {
          clearInterval(tick);
          followed.delete(jobId);
          resolve();
        };
        token.onCancellationRequested(() => {
          output.info(`${title}: Cancel pressed; cancelling the job ${jobId}`);
          void execute(CANCEL, uri);
          // The notification goes; the status bar follows the job to its cancelled end.
          job.end();
        });
        // States that came before this callback ran: before the command's answer, or since.
        const seen = early.get(jobId);
        early.delete(jobId);
        if (seen && !job.last) {
          onJobStatus(seen);
        } else if (job.last && outcome(job.last.status) !== "running") {
          job.end();
        } else {
          report(job);
        }
      }),
  );
}

function report(job: Followed): void {
  const status = job.last ? jobLine(job.last, job.since, Date.now()) : `starting · ${elapsed(Date.now() - job.since)}`;
  job.progress?.report({ message: job.item ? `${job.item}: ${status}` : status });
}

/** At most this many states of jobs not (yet) followed are kept. */
const EARLY_LIMIT = 16;

/** A `dfls/jobStatus` notification: the status bar, the job's notification, the log. */
function onJobStatus(job: JobStatus): void {
  output.info(`job ${job.jobId ?? ""}: ${job.item}: ${jobTitle(job.jobType)} ${statusWords(job.status)}`);
  const tracked = job.jobId ? followed.get(job.jobId) : undefined;
  if (job.jobId && !tracked) {
    // Maybe the job of a command whose answer has not come yet (a short job can end before it does).
    early.delete(job.jobId);
    early.set(job.jobId, job);
    for (const old of [...early.keys()].slice(0, Math.max(0, early.size - EARLY_LIMIT))) {
      early.delete(old);
    }
  }
  const since =
    tracked?.since ??
    (shown?.job.jobId === job.jobId ? shown?.since : undefined) ??
    (job.startTime ? fabricTime(job.startTime)?.getTime() : undefined) ??
    Date.now();
  showJob(job, since);
  if (tracked) {
    tracked.last = job;
    tracked.item = job.item;
    report(tracked);
    if (outcome(job.status) !== "running") {
      const reason = failureText(job);
      output.info(`${job.item}: ${jobTitle(job.jobType)} ${statusWords(job.status)}${reason ? `: ${reason}` : ""}`);
      tracked.end();
    }
  }
}

/** Shows a job in the status bar; its elapsed time ticks while it runs. */
function showJob(job: JobStatus, since: number): void {
  if (!statusItem) {
    return;
  }
  shown = { job, since };
  const state = outcome(job.status);
  statusItem.tooltip = jobDetails(job).join("\n");
  statusItem.backgroundColor =
    state === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  renderJob();
  statusItem.show();
  stopTicking();
  if (state === "running") {
    ticker = setInterval(renderJob, 1000);
  }
}

function renderJob(): void {
  if (!statusItem || !shown) {
    return;
  }
  const icons = { running: "$(sync~spin)", succeeded: "$(check)", failed: "$(error)", cancelled: "$(circle-slash)" };
  statusItem.text = `${icons[outcome(shown.job.status)]} ${shown.job.item}: ${jobLine(shown.job, shown.since, Date.now())}`;
}

function stopTicking(): void {
  if (ticker !== undefined) {
    clearInterval(ticker);
    ticker = undefined;
  }
}
