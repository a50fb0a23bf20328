// The dfls extension: starts `dfls lsp` and connects it to VS Code. Thin by design: every feature (diagnostics,
// completion, navigation, formatting, the REST actions) is the server's; this file only wires VS Code to it,
// shows the server's job notifications in the status bar, and decides which `.pq` files are `dataflow-m`.

import * as path from "node:path";
import * as vscode from "vscode";
import {
  ErrorCodes,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

const LANGUAGE = "dataflow-m";

/** The REST actions: the VS Code command, the server's command (`workspace/executeCommand`), a title. */
const ACTIONS: ReadonlyArray<{ id: string; command: string; title: string }> = [
  { id: "dfls.action.push", command: "dfls.push", title: "Push" },
  { id: "dfls.action.publish", command: "dfls.publish", title: "Publish" },
  { id: "dfls.action.refresh", command: "dfls.refresh", title: "Refresh" },
  { id: "dfls.action.status", command: "dfls.status", title: "Show job status" },
  { id: "dfls.action.cancel", command: "dfls.cancel", title: "Cancel" },
  { id: "dfls.action.pull", command: "dfls.pull", title: "Pull" },
];

/** The JSON parts of a Dataflow item that the server understands. */
const JSON_PARTS = ["queryMetadata.json", ".platform", ".schedules", "dataflow-content.json"];

/** Params of the server's `dfls/jobStatus` notification. */
interface JobStatus {
  item: string;
  jobType: string;
  status: string;
  startTime?: string;
  endTime?: string;
  failureReason?: string | { message?: string; errorCode?: string };
}

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("dfls", { log: true });
  statusItem = vscode.window.createStatusBarItem("dfls.job", vscode.StatusBarAlignment.Left, 10);
  statusItem.name = "dfls job";
  statusItem.command = "dfls.action.status";
  context.subscriptions.push(output, statusItem);

  for (const action of ACTIONS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(action.id, (resource?: vscode.Uri) => execute(action, resource)),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand("dfls.action.restart", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidOpenTextDocument(claim),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("dfls.server.path")) {
        await stop();
        await start();
      }
    }),
  );
  vscode.workspace.textDocuments.forEach(claim);
  await vscode.commands.executeCommand("setContext", "dfls.active", true);
  await start();
}

export async function deactivate(): Promise<void> {
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

async function start(): Promise<void> {
  const command = vscode.workspace.getConfiguration("dfls").get<string>("server.path") || "dfls";
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
  };
  client = new LanguageClient("dfls", "dfls", serverOptions, clientOptions);
  client.onNotification("dfls/jobStatus", showJob);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const message = error instanceof Error ? error.message : String(error);
    const choice = await vscode.window.showErrorMessage(
      `dfls: could not start \`${command} lsp\` (${message}). Install dfls or set "dfls.server.path".`,
      "Open settings",
    );
    if (choice) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "dfls.server.path");
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

/** Runs a REST action on the server for an item: the document's URI, and the target when one is set. */
async function execute(action: { command: string; title: string }, resource?: vscode.Uri): Promise<void> {
  const uri = resource ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage(`dfls: ${action.title} needs an open file of a Dataflow item.`);
    return;
  }
  if (!client) {
    void vscode.window.showWarningMessage(`dfls: ${action.title}: the dfls language server is not running.`);
    return;
  }
  const target = vscode.workspace.getConfiguration("dfls").get<string | null>("target");
  const args: unknown[] = [uri.toString()];
  if (target) {
    args.push({ target });
  }
  const running = client;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `dfls: ${action.title}` },
      () => running.sendRequest(ExecuteCommandRequest.type, { command: action.command, arguments: args }),
    );
    const text = typeof result === "string" ? result : (result as { message?: string } | null)?.message;
    void vscode.window.showInformationMessage(`dfls: ${action.title}: ${text ?? "done"}`);
  } catch (error) {
    if (error instanceof ResponseError && error.code === ErrorCodes.MethodNotFound) {
      void vscode.window.showWarningMessage(
        `dfls: ${action.title}: this dfls does not run \`${action.command}\` yet; a newer dfls does.`,
      );
    } else {
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`dfls: ${action.title} failed: ${message}`);
    }
  }
}

/** Shows a `dfls/jobStatus` notification in the status bar. */
function showJob(job: JobStatus): void {
  if (!statusItem) {
    return;
  }
  const status = String(job.status);
  const icon = /^(completed|succeeded)$/i.test(status)
    ? "$(check)"
    : /^(failed|cancelled|canceled|deduped)$/i.test(status)
      ? "$(error)"
      : "$(sync~spin)";
  statusItem.text = `${icon} ${job.item}: ${job.jobType} ${status}`;
  const reason =
    typeof job.failureReason === "string" ? job.failureReason : (job.failureReason?.message ?? undefined);
  const lines = [
    `${job.item}: ${job.jobType} ${status}`,
    job.startTime ? `started ${job.startTime}` : undefined,
    job.endTime ? `ended ${job.endTime}` : undefined,
    reason ? `reason: ${reason}` : undefined,
  ].filter((line): line is string => line !== undefined);
  statusItem.tooltip = lines.join("\n");
  statusItem.backgroundColor = reason ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  statusItem.show();
}
