/**
 * What an explanation panel shows in Restricted Mode instead of results: why
 * there are none, and how to get them. No script runs in it.
 */
import { escapeHtml } from '../panel/panelHtml';
import { RESTRICTED_MODE_MESSAGE } from './trustGate';

export function buildRestrictedHtml(input: { cspSource: string; styleUri: string; runLabel: string }): string {
  if (input.cspSource.includes(';')) throw new Error('buildRestrictedHtml: "cspSource" must not contain ";"');
  const csp = `default-src 'none'; style-src ${input.cspSource}; img-src ${input.cspSource}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
  <link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
  <title>Model Debugger</title>
</head>
<body>
  <main id="app" data-testid="restricted">
    <h1>Model Debugger: Restricted Mode</h1>
    <p>${escapeHtml(RESTRICTED_MODE_MESSAGE)}</p>
    <p class="muted">Run: ${escapeHtml(input.runLabel)}</p>
    <p>Use <strong>Manage Workspace Trust</strong> (the shield in the status bar, or the command palette) and trust this folder; the panel then loads by itself.</p>
  </main>
</body>
</html>
`;
}
