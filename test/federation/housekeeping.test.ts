/**
 * Retained-state housekeeping decisions (spec §7.5, §8.4): which topics a
 * config change clears, and which removals are really renames.
 */
import { it, expect } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { housekeeping, publishTopics, type ConfigChange } from '../../src/federation/housekeeping.ts';

const site = (checks: Record<string, unknown>) => validateSite({ checks }, { base: '/tmp' });
const remote = (o: Record<string, unknown> = {}) => ({ type: 'remote', subType: 'disk', ...o });
const local = (publish: string | null) => ({ type: 'disk', publish });
const ev = (o: Partial<ConfigChange>): ConfigChange => ({ changed: [], removed: [], renamed: [], ...o });

it.each([
  {
    name: 'a deleted remote check: the topic its updates came from',
    before: { far: remote() },
    after: {},
    ev: ev({ removed: ['far'] }),
    remoteTopics: { far: 'fl/b/far' },
    want: { clear: ['fl/b/far'], gone: ['far'], renamed: [] },
  },
  {
    name: 'a deleted published check: its own topic',
    before: { a: local('sw/a') },
    after: {},
    ev: ev({ removed: ['a'] }),
    remoteTopics: {},
    want: { clear: ['sw/a'], gone: ['a'] },
  },
  {
    name: 'a deleted remote check that also published: both topics, once each',
    before: { far: { ...remote(), publish: 'sw/far' } },
    after: {},
    ev: ev({ removed: ['far'] }),
    remoteTopics: { far: 'fl/far' },
    want: { clear: ['fl/far', 'sw/far'] },
  },
  {
    name: 'a rename from the UI: nothing cleared',
    before: { far: remote() },
    after: { 'b far': remote({ remoteId: 'far' }) },
    ev: ev({ renamed: [['far', 'b far']], changed: ['b far'] }),
    remoteTopics: { far: 'fl/far' },
    want: { clear: [], gone: [], renamed: [['far', 'b far']] },
  },
  {
    name: 'a rename by editing the file (reload sees remove + add with remoteId): a rename, nothing cleared',
    before: { far: remote() },
    after: { 'b far': remote({ remoteId: 'far' }) },
    ev: ev({ removed: ['far'], changed: ['b far'] }),
    remoteTopics: { far: 'fl/far' },
    want: { clear: [], gone: [], renamed: [['far', 'b far']] },
  },
  {
    name: 'a publish topic that moved: the old one',
    before: { a: local('sw/old') },
    after: { a: local('sw/new') },
    ev: ev({ changed: ['a'] }),
    remoteTopics: {},
    want: { clear: ['sw/old'] },
  },
  {
    name: 'publishing turned off: the old topic',
    before: { a: local('sw/old') },
    after: { a: local(null) },
    ev: ev({ changed: ['a'] }),
    remoteTopics: {},
    want: { clear: ['sw/old'] },
  },
  {
    name: 'a topic another check still publishes to is never cleared',
    before: { a: local('sw/shared'), b: local('sw/shared') },
    after: { b: local('sw/shared') },
    ev: ev({ removed: ['a'] }),
    remoteTopics: {},
    want: { clear: [], gone: ['a'] },
  },
])('$name', (c) => {
  const before = publishTopics(site(c.before));
  const r = housekeeping(c.ev, site(c.after), before, new Map(Object.entries(c.remoteTopics)));
  expect(r).toMatchObject(c.want);
});
