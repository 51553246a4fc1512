/**
 * How many units the representation layer has, read from a checkpoint's
 * model.json without loading the model, so the panel can offer "latent unit
 * j" as a list. Best effort: layers whose width the config does not state
 * (anything but Dense-like `units`) give undefined, and the engine's error
 * then names the range when a unit is out of it.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findUnits(layers: unknown, name: string, depth: number): number | undefined {
  if (!Array.isArray(layers) || depth > 8) return undefined;
  for (const layer of layers) {
    if (!isObject(layer) || !isObject(layer.config)) continue;
    const config = layer.config;
    if (config.name === name) {
      const units = config.units;
      return typeof units === 'number' && Number.isSafeInteger(units) && units > 0 ? units : undefined;
    }
    const nested = findUnits(config.layers, name, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** Units of layer `layerName` in a model.json text; undefined when it cannot be told. Never throws. */
export function representationUnits(modelJson: string, layerName: string): number | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(modelJson);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || !isObject(raw.modelTopology)) return undefined;
  const topology = raw.modelTopology;
  const modelConfig = isObject(topology.model_config) ? topology.model_config : topology;
  const config = modelConfig.config;
  return findUnits(isObject(config) ? config.layers : config, layerName, 0);
}
