import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPanelHtml, contentSecurityPolicy, escapeHtml } from '../../../src/host/panel/panelHtml';
import { createNonce } from '../../../src/host/panel/nonce';

const input = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce: createNonce(),
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  title: 'Model <Debugger>',
};

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the page has a CSP meta tag');
  return match[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

test('the CSP denies by default and allows scripts only with the nonce', () => {
  const csp = cspOf(buildPanelHtml(input));
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${input.nonce}'`]);
  assert.deepEqual(directives.get('style-src'), [input.cspSource, `'nonce-${input.nonce}'`]);
  assert.deepEqual(directives.get('img-src'), [input.cspSource, 'data:']);
  assert.deepEqual(directives.get('font-src'), [input.cspSource]);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
});

test('every script tag carries the nonce and none is inline', () => {
  const html = buildPanelHtml(input);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length >= 1);
  for (const [, attributes, body] of scripts) {
    assert.match(attributes!, new RegExp(`nonce="${input.nonce}"`));
    assert.match(attributes!, /src="/);
    assert.equal(body!.trim(), '');
  }
  assert.equal(contentSecurityPolicy(input.cspSource, input.nonce), cspOf(html));
});

test('the page publishes the nonce for the toolkit\'s own <style> element', () => {
  assert.ok(buildPanelHtml(input).includes(`<meta property="csp-nonce" content="${input.nonce}">`));
});

test('the page escapes what it interpolates', () => {
  const html = buildPanelHtml(input);
  assert.ok(html.includes('<title>Model &lt;Debugger&gt;</title>'));
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
});

test('buildPanelHtml rejects a weak nonce and a cspSource that would end the directive', () => {
  assert.throws(() => buildPanelHtml({ ...input, nonce: 'abc' }), /nonce/);
  assert.throws(() => buildPanelHtml({ ...input, nonce: `${input.nonce}" onload="x` }), /nonce/);
  assert.throws(() => buildPanelHtml({ ...input, cspSource: "x; script-src 'unsafe-inline'" }), /cspSource/);
});

test('createNonce is fresh each time and long enough', () => {
  const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
  assert.equal(nonces.size, 100);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{22}$/);
});

test('a page has exactly one Content-Security-Policy, and nonces differ across 1,000 renders', () => {
  const html = buildPanelHtml(input);
  assert.equal([...html.matchAll(/http-equiv="Content-Security-Policy"/gi)].length, 1);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const page = buildPanelHtml({ ...input, nonce: createNonce() });
    const nonce = /'nonce-([^']+)'/.exec(cspOf(page))![1]!;
    assert.ok(!seen.has(nonce), `nonce repeated after ${i} renders`);
    seen.add(nonce);
    assert.ok(!/<script(?![^>]*nonce=)/.test(page), 'no script without the nonce');
  }
});
