/**
 * The explanation panel's page. Everything the page runs or styles comes from
 * the extension's own dist/ and media/ folders; the CSP allows nothing else,
 * and scripts only with this load's nonce.
 */

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/panel.css)`, as a string. */
  styleUri: string;
  title: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const NONCE_PATTERN = /^[A-Za-z0-9+/_=-]{16,}$/;

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function buildPanelHtml(input: PanelHtmlInput): string {
  if (!NONCE_PATTERN.test(input.nonce)) throw new Error('buildPanelHtml: "nonce" must be at least 16 base64 characters');
  // A ';' would end the directive early and let the rest read as new directives.
  if (input.cspSource.includes(';')) throw new Error('buildPanelHtml: "cspSource" must not contain ";"');
  const nonce = escapeHtml(input.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(input.cspSource, input.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <!-- FAST (under the webview toolkit) reads this to nonce the <style> element it probes focus-visible support with. -->
  <meta property="csp-nonce" content="${nonce}">
  <link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(input.styleUri)}">
  <title>${escapeHtml(input.title)}</title>
</head>
<body>
  <main id="app" aria-busy="true">
    <p class="loading">Loading…</p>
  </main>
  <script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}
