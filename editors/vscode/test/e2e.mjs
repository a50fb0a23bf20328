// The dfls extension in code-server, driven by headless Chromium (run through e2e.sh, which documents the
// environment variables). Exits 0 when the language mode is dfls's, the Problems panel shows the diagnostic of the
// misspelt query name, the suggest widget offers Table.AddColumn, and `dfls: Push` from the command palette
// reaches the server, which runs it and refuses to push the item while it has errors (the extension shows the
// server's answer); 1 otherwise, with a screenshot of the failure next to SCREENSHOT.

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.resolve(here, "..");
const repo = path.resolve(extension, "..", "..");
const codeServer = process.env.CODE_SERVER || "code-server";
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const dfls = path.resolve(process.env.DFLS_BIN || path.join(repo, "target", "debug", "dfls"));
const vsix = path.resolve(process.env.VSIX || path.join(extension, "dfls.vsix"));
const screenshot = path.resolve(process.env.SCREENSHOT || path.join(here, "out", "vscode.png"));

function log(message) {
  console.log(`e2e: ${message}`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

/** The workspace: a copy of the example item, broken twice, and settings naming the server's absolute path. */
function makeWorkspace(root) {
  const workspace = path.join(root, "workspace");
  const item = path.join(workspace, "Sales Orders.Dataflow");
  fs.cpSync(path.join(repo, "examples", "Sales Orders.Dataflow"), item, { recursive: true });
  const mashup = path.join(item, "mashup.pq");
  const text = fs.readFileSync(mashup, "utf8");
  const broken = text.replace('Table.NestedJoin(#"Raw Orders"', 'Table.NestedJoin(#"Raw Ordrs"');
  if (broken === text) throw new Error("the example changed: cannot break it");
  fs.writeFileSync(mashup, broken + "shared Extra = Table.AddCol");
  // An M file outside any item: dfls.pqFiles "unclaimed" gives it dataflow-m when no other extension claims it.
  fs.writeFileSync(path.join(workspace, "scratch.pq"), "let\n  x = 1\nin\n  x\n");
  fs.mkdirSync(path.join(workspace, ".vscode"));
  // The extension host does not inherit code-server's PATH: name the server by its absolute path.
  fs.writeFileSync(
    path.join(workspace, ".vscode", "settings.json"),
    JSON.stringify({ "dfls.server.path": dfls }, null, 2),
  );
  return workspace;
}

function userSettings(userData) {
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "workbench.colorTheme": "Default Dark Modern",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.commandCenter.enabled": false,
        "telemetry.telemetryLevel": "off",
        "editor.minimap.enabled": false,
        "window.commandCenter": false,
        "extensions.ignoreRecommendations": true,
      },
      null,
      2,
    ),
  );
}

async function main() {
  for (const [what, file] of [
    ["dfls", dfls],
    ["the .vsix", vsix],
    ["Chromium", chromium],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dfls-e2e-"));
  const workspace = makeWorkspace(root);
  const userData = path.join(root, "user-data");
  const extensions = path.join(root, "extensions");
  userSettings(userData);

  log(`installing ${path.basename(vsix)} into code-server`);
  execFileSync(
    codeServer,
    ["--user-data-dir", userData, "--extensions-dir", extensions, "--install-extension", vsix],
    { stdio: "inherit" },
  );

  const port = await freePort();
  const server = spawn(
    codeServer,
    [
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--user-data-dir",
      userData,
      "--extensions-dir",
      extensions,
      workspace,
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let serverLog = "";
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  let browser;
  let page;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60000);
    log(`code-server on port ${port}`);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--window-size=1400,860"],
      defaultViewport: { width: 1400, height: 860 },
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, {
      waitUntil: "domcontentloaded",
    });
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    await page.waitForSelector(".explorer-folders-view", { timeout: 60000 });
    await new Promise((r) => setTimeout(r, 2000));

    // Open mashup.pq with Quick Open.
    await page.keyboard.down("Control");
    await page.keyboard.press("KeyP");
    await page.keyboard.up("Control");
    await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
    await page.keyboard.type("mashup.pq");
    await page.waitForFunction(
      () => [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => r.textContent.includes("mashup.pq")),
      { timeout: 20000 },
    );
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => [...document.querySelectorAll(".editor-instance .view-lines")].some((v) => v.textContent.replace(/\u00a0/g, " ").includes("section Section1")),
      { timeout: 20000 },
    );
    const mode = await page.waitForFunction(
      () => {
        const item = document.querySelector("[id='status.editor.mode']");
        return item && item.textContent.trim();
      },
      { timeout: 20000 },
    );
    const language = await mode.jsonValue();
    log(`language mode: ${language}`);
    if (!language.includes("Power Query M (dfls)")) throw new Error(`the language mode is ${language}`);

    // The Problems panel shows the server's diagnostic.
    await page.keyboard.down("Control");
    await page.keyboard.down("Shift");
    await page.keyboard.press("KeyM");
    await page.keyboard.up("Shift");
    await page.keyboard.up("Control");
    const problem = await page.waitForFunction(
      () => {
        const panel = document.querySelector(".markers-panel");
        const row = panel && [...panel.querySelectorAll(".monaco-list-row")].find((r) => r.textContent.replace(/\u00a0/g, " ").includes("Raw Ordrs"));
        return row && row.textContent;
      },
      { timeout: 60000 },
    );
    log(`Problems panel: ${(await problem.jsonValue()).replace(/\s+/g, " ").slice(0, 160)}`);

    // Completion at the end of `shared Extra = Table.AddCol`.
    await page.click(".editor-instance .view-lines");
    await page.keyboard.down("Control");
    await page.keyboard.press("End");
    await page.keyboard.up("Control");
    await new Promise((r) => setTimeout(r, 500));
    await page.keyboard.down("Control");
    await page.keyboard.press("Space");
    await page.keyboard.up("Control");
    const suggestion = await page.waitForFunction(
      () => {
        const widget = document.querySelector(".suggest-widget.visible");
        const row = widget && [...widget.querySelectorAll(".monaco-list-row")].find((r) => r.textContent.includes("Table.AddColumn"));
        return row && row.textContent;
      },
      { timeout: 30000 },
    );
    log(`suggest widget: ${(await suggestion.jsonValue()).replace(/\s+/g, " ").slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 800));
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    log(`screenshot: ${screenshot}`);

    // A REST command from the palette: the server runs `dfls.push`, checks the item first and refuses it (the file
    // on disk has the two errors), and the extension shows the server's answer.
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
    await page.keyboard.type("dfls: Push");
    await page.waitForFunction(
      () => [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => r.textContent.includes("dfls: Push")),
      { timeout: 20000 },
    );
    await page.keyboard.press("Enter");
    const toast = await page.waitForFunction(
      () => {
        const messages = [...document.querySelectorAll(".notifications-toasts .notification-list-item-message")];
        const message = messages
          .map((m) => m.textContent.replace(/\u00a0/g, " "))
          .find((t) => t.includes("dfls: Push failed") && t.includes("it was not pushed"));
        return message;
      },
      { timeout: 20000 },
    );
    log(`notification: ${(await toast.jsonValue()).replace(/\s+/g, " ").slice(0, 120)}`);

    // The language of other files: an M file outside the item, and a JSON part.
    for (const [file, expected] of [
      ["scratch.pq", "Power Query M (dfls)"],
      [".platform", "JSON"],
    ]) {
      await page.keyboard.press("Escape");
      await page.keyboard.down("Control");
      await page.keyboard.press("KeyP");
      await page.keyboard.up("Control");
      await page.waitForSelector(".quick-input-widget input", { visible: true, timeout: 20000 });
      await page.keyboard.type(file);
      await page.waitForFunction(
        (name) =>
          [...document.querySelectorAll(".quick-input-list .monaco-list-row")].some((r) => r.textContent.includes(name)),
        { timeout: 20000 },
        file,
      );
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        (want) => {
          const item = document.querySelector("[id='status.editor.mode']");
          return item && item.textContent.trim().endsWith(want);
        },
        { timeout: 20000 },
        expected,
      );
      log(`${file}: ${expected}`);
    }
    log("ok");
  } catch (error) {
    if (page) {
      const failed = screenshot.replace(/\.png$/, "") + "-failure.png";
      fs.mkdirSync(path.dirname(failed), { recursive: true });
      await page.screenshot({ path: failed }).catch(() => {});
      console.error(`e2e: failure screenshot: ${failed}`);
    }
    console.error(`e2e: code-server log:\n${serverLog.slice(-4000)}`);
    throw error;
  } finally {
    if (browser) await browser.close();
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      server.kill("SIGTERM");
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`e2e: FAILED: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
