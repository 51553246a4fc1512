import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORY, COMMANDS, EDITOR_CONTEXT_WHEN, EXPLORER_WHEN } from '../../../src/host/commands/catalog';
import { BACKEND_SETTING, HEAP_SETTING } from '../../../src/host/commands/backendChoice';

interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown; description: string; restrictedConfigurations: string[] } };
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    configuration: { properties: Record<string, { scope?: string }> };
  };
}

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const specs = Object.values(COMMANDS);

test('package.json contributes exactly the catalogue, every command under the "Model Debugger" category', () => {
  assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), specs.map((s) => s.id).sort());
  for (const contributed of pkg.contributes.commands) {
    const spec = specs.find((s) => s.id === contributed.command)!;
    assert.equal(contributed.category, CATEGORY, contributed.command);
    assert.equal(contributed.title, spec.title, contributed.command);
  }
});

test('the command palette shows each command only where it applies, and never an untrusted-only one in Restricted Mode', () => {
  const palette = pkg.contributes.menus.commandPalette!;
  for (const spec of specs) {
    const entry = palette.find((e) => e.command === spec.id);
    assert.ok(entry, `${spec.id} has a commandPalette entry`);
    assert.equal(entry.when, spec.palette === false ? 'false' : spec.palette, spec.id);
    if (spec.needsTrust && spec.palette !== false) assert.match(entry.when!, /isWorkspaceTrusted/, `${spec.id} is hidden in Restricted Mode`);
  }
  assert.equal(COMMANDS.findSuspicious.id, 'modelDebugger.findSuspicious');
  assert.match(COMMANDS.findSuspicious.palette, /modelDebugger\.hasRuns \|\| modelDebugger\.panelOpen/);
});

test('explorer and editor context menus: model.json files, checkpoint folders, and a checkpoint path under the cursor', () => {
  const explorer = pkg.contributes.menus['explorer/context']!;
  assert.deepEqual(
    explorer.map((e) => [e.command, e.when]),
    [
      [COMMANDS.explainThis.id, EXPLORER_WHEN],
      [COMMANDS.findSuspicious.id, 'isWorkspaceTrusted && resourceFilename == modeldebug.json'],
    ],
  );
  assert.match(EXPLORER_WHEN, /resourcePath in modelDebugger\.checkpointFolders/);
  assert.match(EXPLORER_WHEN, /resourceFilename == model\.json/);
  const editor = pkg.contributes.menus['editor/context']!;
  assert.deepEqual(
    editor.map((e) => [e.command, e.when]),
    [[COMMANDS.explainThis.id, EDITOR_CONTEXT_WHEN]],
  );
  assert.equal(COMMANDS.explainThis.title, 'Explain this checkpoint', 'the e2e test and README name the menu entry so');
});

test('Workspace Trust: limited support, and every setting that shapes the engine process is machine-scoped and restricted', () => {
  const trust = pkg.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.ok(trust.description.length > 20);
  const shaping = [BACKEND_SETTING, HEAP_SETTING];
  assert.deepEqual([...trust.restrictedConfigurations].sort(), [...shaping].sort());
  for (const key of shaping) assert.equal(pkg.contributes.configuration.properties[key]?.scope, 'machine', key);
});
