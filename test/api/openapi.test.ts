/**
 * The OpenAPI document is valid OpenAPI 3.1 (parsed and validated by
 * swagger-parser), lists every route the REST app serves, and every
 * documented operation has a row in the scope matrix.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { openApiSite, type ApiTestSite } from './helpers.ts';
import { restApi } from '../../src/api/app.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import { ROWS, SITE } from './endpoints.ts';

let t: ApiTestSite;
let doc: OpenAPIV3_1.Document;

beforeAll(async () => {
  t = await openApiSite(SITE);
  const r = await t.call('GET', '/api/v1/openapi.json', { scope: null });
  expect(r.status).toBe(200);
  doc = (await r.json()) as OpenAPIV3_1.Document;
});
afterAll(() => t.close());

const operations = (d: OpenAPIV3_1.Document): string[] =>
  Object.entries(d.paths ?? {})
    .flatMap(([p, item]) =>
      Object.keys(item ?? {})
        .filter((m) => ['get', 'put', 'post', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    )
    .sort();

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validated = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(validated.info.title).toBe('siteward API');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists every route the REST app serves, with its method', () => {
    const app = restApi({ site: t.site, tokens: siteTokens(t.site) });
    const served = [
      ...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)),
    ].sort();
    expect(served.length).toBeGreaterThan(15);
    expect(operations(doc)).toEqual(served);
  });

  it('every operation is in the scope matrix and declares the bearer scheme and its scope', () => {
    const rows = ROWS.map((r) => `${r.method} ${r.doc}`).sort();
    expect(rows).toEqual(operations(doc));
    for (const row of ROWS) {
      const op = (doc.paths![row.doc] as Record<string, OpenAPIV3_1.OperationObject>)[row.method.toLowerCase()];
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(op.description).toContain(`Scope: \`${row.need}\``);
    }
    expect((doc.components?.securitySchemes?.bearer as OpenAPIV3_1.HttpSecurityScheme).scheme).toBe('bearer');
  });

  it('check bodies come from the registry: one variant per check type, with its options', () => {
    const entry = doc.components!.schemas!.CheckEntry as { oneOf: { properties: { type: { const?: string; enum?: string[] }; options: unknown } }[] };
    const types = entry.oneOf.map((v) => v.properties.type.const ?? v.properties.type.enum?.[0]);
    expect(types).toContain('push');
    expect(types).toContain('disk');
    const disk = entry.oneOf.find((v) => (v.properties.type.const ?? v.properties.type.enum?.[0]) === 'disk')!;
    expect(JSON.stringify(disk.properties.options)).toContain('hysteresis');
  });
});
