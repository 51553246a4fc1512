/**
 * The calls that write a model to disk, and which argument holds the path:
 * TensorFlow.js `model.save('file://…')`, Keras `model.save(…)`,
 * `save_weights`, `save_model`, `ModelCheckpoint`, `tfjs.converters.save_keras_model`
 * and `torch.save(obj, …)`.
 */
import type { CallSite } from './callSites';
import type { ScriptLanguage, Span } from './scriptTokens';

interface SaveRule {
  /** 0-based position of the path argument. */
  position: number;
  /** Keyword names the path may be passed under (Python). */
  keywords: readonly string[];
}

/** Dotted callees whose path is not the first argument although they end in `.save`. */
const SAVE_WITH_OBJECT_FIRST = new Set(['torch.save', 'torch.jit.save', 'jit.save', 'tf.saved_model.save', 'saved_model.save', 'tensorflow.saved_model.save']);

function pythonRule(call: CallSite): SaveRule | undefined {
  const name = call.callee.slice(call.callee.lastIndexOf('.') + 1);
  switch (name) {
    case 'save':
      if (SAVE_WITH_OBJECT_FIRST.has(call.callee)) return { position: 1, keywords: ['f', 'export_dir'] };
      return call.isMethod ? { position: 0, keywords: ['filepath'] } : undefined;
    case 'save_model':
      return { position: 1, keywords: ['filepath', 'export_dir'] };
    case 'save_weights':
      return call.isMethod ? { position: 0, keywords: ['filepath'] } : undefined;
    case 'save_keras_model':
      return { position: 1, keywords: ['artifacts_dir'] };
    case 'ModelCheckpoint':
      return { position: 0, keywords: ['filepath'] };
    default:
      return undefined;
  }
}

function javascriptRule(call: CallSite): SaveRule | undefined {
  const name = call.callee.slice(call.callee.lastIndexOf('.') + 1);
  return name === 'save' && call.isMethod ? { position: 0, keywords: [] } : undefined;
}

const KEYWORD_ARGUMENT = /^([A-Za-z_]\w*)\s*=(?!=)/;

/** The span of the argument that holds the saved path, or undefined when the call saves nothing we know. */
export function savePathArgument(call: CallSite, masked: string, language: ScriptLanguage): Span | undefined {
  const rule = language === 'python' ? pythonRule(call) : javascriptRule(call);
  if (!rule) return undefined;
  let positional = 0;
  for (const arg of call.args) {
    const keyword = KEYWORD_ARGUMENT.exec(masked.slice(arg.start, arg.end));
    if (keyword) {
      if (rule.keywords.includes(keyword[1]!)) return { start: arg.start + keyword[0].length, end: arg.end };
      continue;
    }
    if (positional++ === rule.position) return arg;
  }
  return undefined;
}
