/**
 * Where a training script names a checkpoint: the path under the cursor (for
 * the editor's context menu) and every line worth a CodeLens (save calls,
 * path joins and string literals that look like paths). What a path points at
 * is decided against the disk with resolveCheckpoint. Free of `vscode`.
 */
import { findCallSites } from '../scriptPaths/callSites';
import { findCheckpointPathAt, findSaveCallPaths, MAX_SCRIPT_CHARS, stripFileScheme, type CheckpointPathMatch } from '../scriptPaths/checkpointPaths';
import { lexJavaScript } from '../scriptPaths/javascriptLexer';
import { PathExpressionEvaluator } from '../scriptPaths/pathExpression';
import { lexPython } from '../scriptPaths/pythonLexer';
import { resolveCheckpoint, type CheckpointLocation, type ResolveOptions } from '../scriptPaths/resolveCheckpoint';
import { scriptLanguageOf, type ScriptLanguage, type Span } from '../scriptPaths/scriptTokens';

/** The VS Code languages the editor entry points (context menu, CodeLens) are offered in. */
export const SCRIPT_LANGUAGE_IDS = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'python'] as const;

/** At most this many candidates per script are looked up on disk for CodeLens. */
export const MAX_LENS_CANDIDATES = 100;

export function scriptLanguageForDocument(languageId: string, fileName: string): ScriptLanguage | undefined {
  return (SCRIPT_LANGUAGE_IDS as readonly string[]).includes(languageId) ? scriptLanguageOf(languageId) : scriptLanguageOf(fileName);
}

const inside = (inner: Span, outer: Span): boolean => outer.start <= inner.start && inner.end <= outer.end;

/** A literal worth a disk lookup: one line, not too long, and shaped like a path or a checkpoint file. */
export function looksLikePath(value: string): boolean {
  if (value.length === 0 || value.length > 500 || /[\r\n\t]/.test(value)) return false;
  const stripped = stripFileScheme(value);
  if (stripped === undefined || stripped.trim() === '') return false;
  return /[\\/]/.test(stripped) || /(^|[\\/])model\.json$/.test(stripped);
}

/**
 * The CodeLens candidates of a script, in document order: save calls first
 * claim their span, then the widest path joins, then lone string literals.
 */
export function findLensCandidates(text: string, language: ScriptLanguage): CheckpointPathMatch[] {
  if (text.length > MAX_SCRIPT_CHARS) return [];
  const found: CheckpointPathMatch[] = [...findSaveCallPaths(text, language)];
  const claimed: Span[] = found.map((m) => ({ start: m.callStart ?? m.start, end: m.callEnd ?? m.end }));
  const tokens = language === 'python' ? lexPython(text) : lexJavaScript(text);
  const calls = findCallSites(tokens);
  const evaluator = new PathExpressionEvaluator(tokens, calls);
  const widestFirst = [...calls].sort((a, b) => b.end - b.start - (a.end - a.start));
  for (const call of widestFirst) {
    if (claimed.some((span) => inside(call, span))) continue;
    const value = evaluator.evaluate(call);
    const written = value && stripFileScheme(value.text.trim());
    if (!value || written === undefined || written === '') continue;
    found.push({ start: call.start, end: call.end, path: value.anchoredAtScript ? written.replace(/^[\\/]+/, '') || '.' : written, anchoredAtScript: value.anchoredAtScript });
    claimed.push(call);
  }
  for (const literal of tokens.literals) {
    if (literal.interpolated || !looksLikePath(literal.value) || claimed.some((span) => inside(literal, span))) continue;
    found.push({ start: literal.start, end: literal.end, path: stripFileScheme(literal.value.trim())!, anchoredAtScript: false });
  }
  return found.sort((a, b) => a.start - b.start).slice(0, MAX_LENS_CANDIDATES);
}

export interface ResolvedLens {
  match: CheckpointPathMatch;
  checkpoint: CheckpointLocation;
}

/** The candidates that lead to a checkpoint on disk; one per line (`lineOf` maps an offset to its line). */
export async function resolveLenses(candidates: readonly CheckpointPathMatch[], lineOf: (offset: number) => number, options: ResolveOptions): Promise<ResolvedLens[]> {
  const lines = new Set<number>();
  const resolved: ResolvedLens[] = [];
  for (const match of candidates) {
    const line = lineOf(match.callStart ?? match.start);
    if (lines.has(line)) continue;
    const checkpoint = await resolveCheckpoint(match, options);
    if (!checkpoint) continue;
    lines.add(line);
    resolved.push({ match, checkpoint });
  }
  return resolved;
}

/** The checkpoint the path under the cursor leads to, if any. */
export async function checkpointAtCursor(text: string, offset: number, language: ScriptLanguage, options: ResolveOptions): Promise<CheckpointLocation | undefined> {
  if (offset < 0 || offset > text.length) return undefined;
  const match = findCheckpointPathAt(text, offset, language);
  return match ? resolveCheckpoint(match, options) : undefined;
}
