// What the client sends the server (docs/protocol.md, "Settings") and what needs a restart.
// Only settings the user set are sent: a missing key lets .ctxlens.toml decide, which a
// default from package.json would silently override.

export const SERVER_SETTING_KEYS = [
  'model',
  'threshold',
  'minTokens',
  'include',
  'exclude',
  'severity',
  'workspaceDiagnostics',
  'stabilityProbe',
] as const;

export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings that change how the server process is started, not what it is told. */
export const RESTART_KEYS = ['interpreter', 'llm.baseUrl'] as const;

export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export type Inspect = (key: string) => Inspected | undefined;

export function serverSettings(inspect: Inspect): Partial<Record<ServerSettingKey, unknown>> {
  const out: Partial<Record<ServerSettingKey, unknown>> = {};
  for (const key of SERVER_SETTING_KEYS) {
    const v = inspect(key);
    const value = v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue;
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** The server's environment: the editor's, plus the endpoint and the key for the LLM bridge.
 *  The key goes only here — never into settings, arguments or logs. */
export function serverEnvironment(
  base: Record<string, string | undefined>,
  apiKey: string | undefined,
  baseUrl: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  if (apiKey) env.OPENAI_API_KEY = apiKey;
  const url = baseUrl?.trim();
  if (url) env.OPENAI_BASE_URL = url;
  // Python writes the server's log lines as they happen, so the output channel is live.
  env.PYTHONUNBUFFERED = '1';
  return env;
}
