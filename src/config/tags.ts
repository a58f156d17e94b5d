/**
 * A check's tags (`options.tags`, src/config/schema.ts): labels that
 * maintenance windows select (src/ops/maintenance.ts) and the checks page
 * filters by. One reading of the option for both.
 */
export function tagsOf(options: Record<string, unknown>): string[] {
  const tags = options.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}
