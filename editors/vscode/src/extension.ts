// The auditls extension: starts `python -m auditls serve` over stdio and connects a
// LanguageClient to it. Everything else (diagnostics, hover, quick fixes, the auditls.reindex and
// auditls.showIndexStatus commands, settings) comes from the server.
//
// The interpreter is `auditls.interpreter` when set, else the one the Python extension selected
// for the workspace, else `python3`. Settings reach the server three ways, all of the `auditls`
// section: as initializationOptions, when it asks (workspace/configuration), and on every change
// (didChangeConfiguration).

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

// The interpreter flags come first: -E ignores PYTHON* variables (a PYTHONPATH into the
// workspace) and -P keeps the working directory, which is the workspace folder, off sys.path, so
// no file of the analysed repository can shadow a module the server imports (auditls.isolation).
export const SERVER_ARGS = ["-E", "-P", "-m", "auditls", "serve"];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

interface PythonEnvironments {
  getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
  resolveEnvironment(
    env: { path: string },
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
}

async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const python = vscode.extensions.getExtension<{ environments?: PythonEnvironments }>(
    "ms-python.python",
  );
  if (!python) {
    return undefined;
  }
  const api = python.isActive ? python.exports : await python.activate();
  const environments = api?.environments;
  if (!environments) {
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const resolved = await environments.resolveEnvironment(
    environments.getActiveEnvironmentPath(folder),
  );
  return resolved?.executable.uri?.fsPath;
}

async function interpreter(): Promise<string[]> {
  const configured = vscode.workspace.getConfiguration("auditls").get<string[]>("interpreter");
  if (configured && configured.length > 0) {
    return configured;
  }
  const selected = await pythonExtensionInterpreter();
  return [selected ?? "python3"];
}

function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("auditls");
  const keys = [
    "select",
    "ignore",
    "exclude",
    "severity",
    "debounce",
    "diagnosticMode",
    "syntaxDiagnostics",
    "logLevel",
    "docsUrl",
  ];
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    settings[key] = config.get(key);
  }
  return settings;
}

async function start(): Promise<void> {
  const [command, ...args] = await interpreter();
  const serverOptions: ServerOptions = {
    command,
    args: [...args, ...SERVER_ARGS],
    transport: TransportKind.stdio,
  };
  output ??= vscode.window.createOutputChannel("auditls");
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: "auditls" },
    outputChannel: output,
  };
  client = new LanguageClient("auditls", "auditls", serverOptions, clientOptions);
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("auditls.restart", async () => {
      await client?.stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("auditls.interpreter")) {
        await vscode.commands.executeCommand("auditls.restart");
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
