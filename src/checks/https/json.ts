/**
 * The `expectJson` option of the https check: assertions on a JSON response
 * body (a health endpoint's `{"status": "ok"}`). Each names a JSONPath query
 * (RFC 9535, e.g. `$.status` or `$.checks[*].state`) and value tests
 * (../shared/expect.ts); every node the query selects must pass them, and a
 * query that selects nothing fails unless `exists` is false.
 *
 * The JSONPath library (jsonpath-rfc9535) is loaded only by sites that use
 * the option: at load, to check the queries' syntax, and in run().
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { failsTests, hasTests, valueTests } from '../shared/expect.ts';

const require = createRequire(import.meta.url);

/** The RFC 9535 parser; throws SyntaxError on a malformed query. */
function parses(query: string): boolean {
  try {
    (require('jsonpath-rfc9535/parser') as { default: (q: string) => unknown }).default(query);
    return true;
  } catch {
    return false;
  }
}

export const JsonAssertion = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(1000)
    .refine(parses, 'not a JSONPath query (RFC 9535), e.g. "$.status" or "$.checks[*].state"')
    .describe('JSONPath query (RFC 9535) selecting the values tested, e.g. $.status'),
  exists: z.boolean().optional().describe('false: pass only when the query selects nothing; true (the default): it must select something'),
  ...valueTests,
});

export const ExpectJson = z.array(JsonAssertion).min(1).max(50);

export const EXPECT_JSON_HELP =
  'assertions on the JSON body, e.g. [{"path": "$.status", "equals": "ok"}]; every value the path selects must pass (equals, notEquals, min, max, matches); the check then sends GET';

export type JsonAssertionValue = z.output<typeof JsonAssertion>;

/**
 * The failure lines for a body, none when every assertion holds. The body
 * must be whole (the caller refuses one cut at its size limit).
 */
export async function jsonFailures(body: Buffer, assertions: JsonAssertionValue[]): Promise<string[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return [`Body is not JSON: ${(e as Error).message}`];
  }
  const { query, paths } = await import('jsonpath-rfc9535');
  type Json = Parameters<typeof query>[0];
  const out: string[] = [];
  for (const a of assertions) {
    const values = query(doc as Json, a.path);
    if (a.exists === false) {
      if (values.length) out.push(`JSON ${a.path} selects ${values.length} value${values.length > 1 ? 's' : ''}, expected none`);
      continue;
    }
    if (!values.length) {
      out.push(`JSON ${a.path} selects nothing`);
      continue;
    }
    if (!hasTests(a)) continue;
    const i = values.findIndex((v) => failsTests(a, v) !== null);
    if (i < 0) continue;
    // name the node: $['checks'][1]['state'] when the query selects several
    const where = values.length > 1 ? paths(doc as Json, a.path)[i] : a.path;
    out.push(`JSON ${where} ${failsTests(a, values[i])}`);
  }
  return out;
}
