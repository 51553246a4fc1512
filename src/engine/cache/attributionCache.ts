/**
 * Attribution results kept between requests, so that going back to a method,
 * target or example already seen in the panel is instant. An entry is keyed
 * by everything its values depend on: the checkpoint's model.json version,
 * the data files' versions, the representation layer, the example, and the
 * method settings after defaults and baseline folding.
 */
import type { AttributeMethodSpec, AttributeTargetSpec, AttributionMap, ResolvedAttributeTarget } from '../../protocol/engineProtocol';
import { ByteBudgetLru } from './byteBudgetLru';
import { canonicalJson } from './canonicalJson';
import type { FileStamp } from './fileStamp';

export const DEFAULT_ATTRIBUTION_CACHE_BYTES = 256 * 1024 * 1024;
/** Rough weight of an entry's fields besides its maps. */
const ENTRY_OVERHEAD_BYTES = 1024;

export interface AttributionKeyParts {
  checkpoint: FileStamp;
  /** The dataset the explained example comes from. */
  examples: FileStamp;
  /** The training set, which the 'mean' baseline and GradientSHAP's reference baselines come from. */
  train: FileStamp;
  representationLayer: string;
  index: number;
  settings: AttributeMethodSpec;
  target: AttributeTargetSpec;
}

export interface CachedAttribution {
  settings: AttributeMethodSpec;
  target: ResolvedAttributeTarget;
  labelFree: boolean;
  maps: AttributionMap[];
  notes: string[];
}

export type AttributionCache = ByteBudgetLru<CachedAttribution>;

export function attributionKey(parts: AttributionKeyParts): string {
  return canonicalJson(parts);
}

export function attributionBytes(entry: CachedAttribution): number {
  return entry.maps.reduce((sum, map) => sum + map.values.byteLength + 64, ENTRY_OVERHEAD_BYTES);
}

export function createAttributionCache(maxBytes = DEFAULT_ATTRIBUTION_CACHE_BYTES): AttributionCache {
  return new ByteBudgetLru<CachedAttribution>(maxBytes, attributionBytes);
}
