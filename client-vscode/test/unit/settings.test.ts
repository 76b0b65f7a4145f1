import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverEnvironment, serverSettings, type Inspected } from '../../src/settings';

test('only settings the user set are sent; the most specific scope wins', () => {
  const values: Record<string, Inspected> = {
    model: { globalValue: 'gpt-4o', workspaceValue: 'o3' },
    threshold: { globalValue: 0.9, workspaceFolderValue: 0.75 },
    minTokens: { globalValue: null },
    include: {},
    severity: { workspaceValue: 'warning' },
    workspaceDiagnostics: { globalValue: false },
    stabilityProbe: { workspaceValue: false },
    interpreter: { globalValue: '/usr/bin/python3' },
  };
  const sent = serverSettings((key) => values[key]);
  // The interpreter is the client's business; every key sent is one docs/protocol.md lists.
  assert.deepEqual(sent, { model: 'o3', threshold: 0.75, severity: 'warning', workspaceDiagnostics: false, stabilityProbe: false });
});

test('the server gets the key and endpoint through its environment only', () => {
  const base = { PATH: '/usr/bin', HOME: '/root', UNSET: undefined };
  const env = serverEnvironment(base, 'sk-test-123', ' http://127.0.0.1:9/v1 ');
  assert.equal(env.OPENAI_API_KEY, 'sk-test-123');
  assert.equal(env.OPENAI_BASE_URL, 'http://127.0.0.1:9/v1');
  assert.equal(env.PATH, '/usr/bin');
  assert.equal('UNSET' in env, false);
  assert.equal('OPENAI_API_KEY' in base, false, 'the editor\'s own environment is not changed');
  const none = serverEnvironment(base, undefined, '');
  assert.equal('OPENAI_API_KEY' in none, false);
  assert.equal('OPENAI_BASE_URL' in none, false);
});
