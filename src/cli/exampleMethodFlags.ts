/**
 * The method flags of `examples` and `example-checks`: which method
 * (--method, --methods), its settings (--mode, --depth, --lr, ...), and the
 * method JSON they become, with errors naming a flag used with the wrong method.
 */
import { EXAMPLE_METHOD_NAMES, type ExampleMethodName, type ExampleMethodSpec, type TracInMode } from '../protocol/engineProtocol';
import { flagTable, type FlagReader } from './commandLine';
import { exactWord, lookUpName, nameTable, nonNegativeNumber, positiveInt, positiveNumber, requiredList, squash } from './flagReader';
import { UsageError } from './usageError';

/** Method settings as given on the command line; each belongs to one method (and sometimes one mode). */
export interface ExampleMethodOptions {
  mode?: TracInMode;
  lastLayers?: number;
  sketchDim?: number;
  inverse?: 'lissa' | 'arnoldi';
  depth?: number;
  scale?: number;
  damping?: number;
  samples?: number;
  rank?: number;
  iterations?: number;
  epochs?: number;
  learningRate?: number;
  nearest?: number;
}

const METHOD_NAMES = nameTable(EXAMPLE_METHOD_NAMES, { tracincp: 'tracin', knn: 'deepKnn', influencefunctions: 'influence' });

export function parseExampleMethod(flag: string, value: string | undefined): ExampleMethodName {
  const method = lookUpName(METHOD_NAMES, value);
  if (!method) throw new UsageError(`${flag} must be one of tracin, influence, deepknn, simplex; got ${value ?? 'nothing'}`);
  return method;
}

export function parseExampleMethodList(flag: string, value: string | undefined): ExampleMethodName[] {
  const methods = requiredList(flag, value, 'a comma-separated list of tracin, influence, deepknn, simplex', parseExampleMethod);
  if (new Set(methods).size !== methods.length) throw new UsageError(`${flag} names a method twice`);
  return methods;
}

function parseMode(value: string | undefined): TracInMode {
  switch (squash(value ?? '')) {
    case 'sketch':
      return 'sketch';
    case 'exact':
      return 'exact';
    case 'lastlayers':
      return 'lastLayers';
    default:
      throw new UsageError(`--mode must be sketch, exact or last-layers, got ${value ?? 'nothing'}`);
  }
}

/** Which method each method flag belongs to. */
const OPTION_FLAGS: Record<keyof ExampleMethodOptions, { flag: string; method: ExampleMethodName }> = {
  mode: { flag: '--mode', method: 'tracin' },
  lastLayers: { flag: '--last-layers', method: 'tracin' },
  sketchDim: { flag: '--sketch-dim', method: 'tracin' },
  inverse: { flag: '--inverse', method: 'influence' },
  depth: { flag: '--depth', method: 'influence' },
  scale: { flag: '--scale', method: 'influence' },
  damping: { flag: '--damping', method: 'influence' },
  samples: { flag: '--samples', method: 'influence' },
  rank: { flag: '--rank', method: 'influence' },
  iterations: { flag: '--iterations', method: 'influence' },
  epochs: { flag: '--epochs', method: 'simplex' },
  learningRate: { flag: '--lr', method: 'simplex' },
  nearest: { flag: '--nearest', method: 'simplex' },
};

const METHOD_LABEL: Record<ExampleMethodName, string> = { tracin: 'tracin', influence: 'influence', deepKnn: 'deepknn', simplex: 'simplex' };

/** Reads the method-settings flags into `options`. */
export function methodOptionReader(options: ExampleMethodOptions): FlagReader {
  return flagTable({
    '--mode': (_, value) => (options.mode = parseMode(value)),
    '--last-layers': (flag, value) => (options.lastLayers = positiveInt(flag, value)),
    '--sketch-dim': (flag, value) => (options.sketchDim = positiveInt(flag, value)),
    '--inverse': (flag, value) => (options.inverse = exactWord(flag, value, ['lissa', 'arnoldi'] as const)),
    '--depth': (flag, value) => (options.depth = positiveInt(flag, value)),
    '--scale': (flag, value) => (options.scale = positiveNumber(flag, value)),
    '--damping': (flag, value) => (options.damping = nonNegativeNumber(flag, value)),
    '--samples': (flag, value) => (options.samples = positiveInt(flag, value)),
    '--rank': (flag, value) => (options.rank = positiveInt(flag, value)),
    '--iterations': (flag, value) => (options.iterations = positiveInt(flag, value)),
    '--epochs': (flag, value) => (options.epochs = positiveInt(flag, value)),
    '--lr': (flag, value) => (options.learningRate = positiveNumber(flag, value)),
    '--nearest': (flag, value) => (options.nearest = positiveInt(flag, value)),
  });
}

const LISSA_ONLY = ['depth', 'scale', 'samples'] as const;
const ARNOLDI_ONLY = ['rank', 'iterations'] as const;

/**
 * The method JSON sent to the engine for `method`, from the flags that belong
 * to it; settings left out get the engine's defaults. Flags that belong to
 * another method, mode or inverse are errors naming the flag.
 */
export function exampleMethodSpec(method: ExampleMethodName, options: ExampleMethodOptions, methods: readonly ExampleMethodName[] = [method]): ExampleMethodSpec {
  for (const key of Object.keys(options) as Array<keyof ExampleMethodOptions>) {
    if (options[key] === undefined) continue;
    const owner = OPTION_FLAGS[key];
    if (!methods.includes(owner.method)) throw new UsageError(`${owner.flag} applies to --method ${METHOD_LABEL[owner.method]}, not ${methods.map((m) => METHOD_LABEL[m]).join(', ')}`);
  }
  switch (method) {
    case 'tracin': {
      const mode = options.mode ?? (options.lastLayers !== undefined ? 'lastLayers' : undefined);
      if (options.lastLayers !== undefined && mode !== 'lastLayers') throw new UsageError(`--last-layers applies to --mode last-layers, not --mode ${mode}`);
      if (options.sketchDim !== undefined && mode !== undefined && mode !== 'sketch') throw new UsageError(`--sketch-dim applies to --mode sketch, not --mode ${mode === 'lastLayers' ? 'last-layers' : mode}`);
      const spec: ExampleMethodSpec = { method: 'tracin' };
      if (mode !== undefined) spec.mode = mode;
      if (options.sketchDim !== undefined) spec.sketchDim = options.sketchDim;
      if (options.lastLayers !== undefined) spec.lastLayers = options.lastLayers;
      return spec;
    }
    case 'influence': {
      const lissa = LISSA_ONLY.filter((k) => options[k] !== undefined);
      const arnoldi = ARNOLDI_ONLY.filter((k) => options[k] !== undefined);
      if (lissa.length > 0 && arnoldi.length > 0) throw new UsageError(`${OPTION_FLAGS[lissa[0]!].flag} (LiSSA) and ${OPTION_FLAGS[arnoldi[0]!].flag} (Arnoldi) cannot be combined`);
      const inverse = options.inverse ?? (lissa.length > 0 ? 'lissa' : arnoldi.length > 0 ? 'arnoldi' : undefined);
      if (inverse === 'arnoldi' && lissa.length > 0) throw new UsageError(`${OPTION_FLAGS[lissa[0]!].flag} applies to --inverse lissa, not arnoldi`);
      if (inverse === 'lissa' && arnoldi.length > 0) throw new UsageError(`${OPTION_FLAGS[arnoldi[0]!].flag} applies to --inverse arnoldi, not lissa`);
      const spec: ExampleMethodSpec = { method: 'influence' };
      if (inverse !== undefined) spec.inverse = inverse;
      for (const key of ['depth', 'scale', 'damping', 'samples', 'rank', 'iterations'] as const) if (options[key] !== undefined) spec[key] = options[key];
      return spec;
    }
    case 'deepKnn':
      return { method: 'deepKnn' };
    case 'simplex': {
      const spec: ExampleMethodSpec = { method: 'simplex' };
      if (options.epochs !== undefined) spec.epochs = options.epochs;
      if (options.learningRate !== undefined) spec.learningRate = options.learningRate;
      if (options.nearest !== undefined) spec.nearest = options.nearest;
      return spec;
    }
  }
}
