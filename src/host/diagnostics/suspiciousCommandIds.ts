/** The command ids of the suspicious-label diagnostics; the code actions and the CodeLens invoke them too. */
export const SUSPICIOUS_COMMANDS = {
  /** Contributed: "Find Suspicious Training Examples". */
  find: 'modelDebugger.findSuspicious',
  /** Contributed (palette): the quick pick of a run's flagged examples; also the CodeLens command. */
  review: 'modelDebugger.reviewSuspicious',
  /** Internal: the code actions' commands. */
  show: 'modelDebugger.showSuspiciousExample',
  markReviewed: 'modelDebugger.markSuspiciousReviewed',
} as const;
