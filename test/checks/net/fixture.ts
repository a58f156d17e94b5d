/**
 * What most network check tests share: a test CA made once per file in a
 * temp folder, and the servers a test starts, closed after the file.
 * Call at the top level of a test file (it registers beforeAll/afterAll).
 */
import { beforeAll, afterAll } from 'vitest';
import { createTestCa, type TestCa } from '../../servers/testca.ts';
import type { Running } from '../../servers/tls-servers.ts';
import { tempDir } from '../../servers/common.ts';

export interface NetFixture {
  /** the file's test CA (available inside tests and hooks) */
  readonly ca: TestCa;
  /** starts a server and closes it after the file */
  keep<T extends Running>(s: Promise<T>): Promise<T>;
}

export function netFixture(prefix: string): NetFixture {
  let ca: TestCa | undefined;
  let cleanup = (): void => undefined;
  const servers: Running[] = [];
  beforeAll(async () => {
    const t = tempDir(prefix);
    cleanup = t.cleanup;
    ca = await createTestCa(t.dir);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    cleanup();
  });
  return {
    get ca(): TestCa {
      if (!ca) throw new Error('the test CA is made in beforeAll');
      return ca;
    },
    async keep<T extends Running>(s: Promise<T>): Promise<T> {
      const r = await s;
      servers.push(r);
      return r;
    },
  };
}
