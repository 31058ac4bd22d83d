/**
 * Wildcard matching without backtracking blow-up, for patterns that come from outside (bus destinations).
 *
 * One greedy algorithm serves both levels of Spring's AntPathMatcher: characters within a segment (`*` any
 * run, `?` one character) and segments within a path (`**` any run of segments). On a mismatch only the
 * latest star takes one more unit and matching resumes right after it. That is enough: every stretch of
 * pattern between two stars consumes a fixed number of units, so its leftmost fit is never worse than a later
 * one, and no earlier choice ever needs revisiting. Cost: at most pattern length × text length unit
 * comparisons, whatever the input.
 */
export interface GlobSpec {
  readonly patternLength: number;
  readonly textLength: number;
  /** True when pattern unit `p` matches any run of text units (also none). */
  isStar(p: number): boolean;
  /** True when pattern unit `p` (not a star) matches text unit `t`. */
  unitMatches(p: number, t: number): boolean;
}

export function globMatch(spec: GlobSpec): boolean {
  let p = 0;
  let t = 0;
  let star = -1; // the latest star seen, or -1
  let resumeAt = 0; // the text unit the latest star's run ends before
  while (t < spec.textLength) {
    if (p < spec.patternLength && spec.isStar(p)) {
      star = p++;
      resumeAt = t;
    } else if (p < spec.patternLength && spec.unitMatches(p, t)) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < spec.patternLength && spec.isStar(p)) p++;
  return p === spec.patternLength;
}

/** One segment against a glob of `*` (any run of characters) and `?` (exactly one character). */
export function segmentMatches(pattern: string, text: string): boolean {
  // A run of `*` means what one does; collapsing it keeps the pattern as short as its meaning.
  const glob = pattern.replace(/\*+/g, '*');
  return globMatch({
    patternLength: glob.length,
    textLength: text.length,
    isStar: (p) => glob[p] === '*',
    unitMatches: (p, t) => glob[p] === '?' || glob[p] === text[t],
  });
}
