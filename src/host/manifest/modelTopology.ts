/** Reads the layer names out of a TF.js `model.json`, to offer them as the representation layer. */

export class ModelJsonError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelJsonError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects `config.name` of every layer, descending into nested models (Sequential inside Functional and the like). */
function collectLayerNames(layers: unknown, into: string[], depth: number): void {
  if (!Array.isArray(layers) || depth > 8) return;
  for (const layer of layers) {
    if (!isObject(layer) || !isObject(layer.config)) continue;
    const name = layer.config.name;
    if (typeof name === 'string' && name.length > 0 && !into.includes(name)) into.push(name);
    collectLayerNames(layer.config.layers, into, depth + 1);
  }
}

export function readLayerNames(text: string, file: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelJsonError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(raw) || !isObject(raw.modelTopology)) throw new ModelJsonError(file, 'has no "modelTopology" object; is it a TF.js layers model?');
  const topology = raw.modelTopology;
  const modelConfig = isObject(topology.model_config) ? topology.model_config : topology;
  const config = isObject(modelConfig.config) ? modelConfig.config : undefined;
  const names: string[] = [];
  // Sequential models keep `config.layers` (or, in old files, `config` itself is the list).
  collectLayerNames(config?.layers ?? modelConfig.config, names, 0);
  if (names.length === 0) throw new ModelJsonError(file, 'lists no layers under "modelTopology.model_config.config.layers"');
  return names;
}
