import type { ExplainResult } from '../protocol/engineProtocol';

export interface ReportExample {
  index: number;
  label?: number;
  labelName?: string;
  saliency: {
    method: string;
    labelFree: boolean;
    shape: number[];
    values: number[];
    completeness?: { sum: number; expected: number };
  };
  proponents: Array<{ index: number; score: number; label?: number; labelName?: string }>;
  opponents: Array<{ index: number; score: number; label?: number; labelName?: string }>;
}

export interface Report {
  manifest: string;
  backend: string;
  checkpoint: string;
  examples: ReportExample[];
  timings: Record<string, number>;
}

/** Engine results carry typed arrays; the report file is plain JSON. */
export function toReport(manifest: string, result: ExplainResult, timings: Record<string, number>): Report {
  return {
    manifest,
    backend: result.backend,
    checkpoint: result.checkpoint,
    examples: result.examples.map((e) => ({
      ...e,
      saliency: { ...e.saliency, values: Array.from(e.saliency.values) },
    })),
    timings,
  };
}
