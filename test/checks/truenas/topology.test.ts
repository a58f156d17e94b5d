/**
 * The compact pool layout and alert list a truenas run keeps (src/checks/truenas/topology.ts):
 * layouts, limits against a huge or hostile answer, and how a disk's square is coloured.
 */
import { describe, it, expect } from 'vitest';
import { compactAlerts, compactPools, diskState, NAS_LIMITS } from '../../../src/checks/truenas/topology.ts';
import type { Pool } from '../../../src/checks/truenas/assess.ts';
import { alert, disk, group, pool } from '../../servers/truenas.ts';

describe('compactPools', () => {
  it('names each vdev by its layout; a lone disk in data is a stripe; missing fields are words, not crashes', () => {
    const [p] = compactPools([
      pool({ name: 'tank', data: [group('RAIDZ3', 0, 'ONLINE', [disk('sda'), disk('sdb')]), disk('sdc')], spare: [disk('sdd', { status: 'INUSE' })] }),
    ] as unknown as Pool[]);
    expect(p.vdevs.map((v) => [v.category, v.type, v.name])).toEqual([
      ['data', 'RAIDZ3', 'raidz3-0'],
      ['data', 'STRIPE', 'sdc1'],
      ['spare', 'STRIPE', 'sdd1'],
    ]);
    const [odd] = compactPools([
      { name: 'odd', topology: { data: [{ children: [{ stats: { read_errors: -4, write_errors: 'x' as unknown as number } }] }, null as never] } },
    ]);
    expect(odd.vdevs).toEqual([
      { category: 'data', type: 'UNKNOWN', name: 'UNKNOWN', status: 'UNKNOWN', disks: [{ name: '?', status: 'UNKNOWN', read: 0, write: 0, checksum: 0 }] },
    ]);
  });

  it('keeps at most NAS_LIMITS disks and counts the rest; long names are cut', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      group(
        'MIRROR',
        i,
        'ONLINE',
        Array.from({ length: 10 }, (_, j) => disk(`d${i}x${j}`)),
      ),
    );
    const [p] = compactPools([pool({ name: 'x'.repeat(500), data: many })] as unknown as Pool[]);
    const kept = p.vdevs.reduce((a, v) => a + v.disks.length, 0);
    expect(kept).toBe(NAS_LIMITS.disks);
    expect(p.omitted).toBe(400 - NAS_LIMITS.disks);
    expect(p.name.length).toBe(NAS_LIMITS.text + 1);
    expect(JSON.stringify(p).length).toBeLessThan(40_000);
  });
});

describe('compactAlerts', () => {
  it('active alerts only, most severe first, at most NAS_LIMITS.alerts', () => {
    const list = [
      alert('INFO', 'a'),
      alert('ERROR', 'b'),
      alert('CRITICAL', 'c', { dismissed: true }),
      ...Array.from({ length: 60 }, () => alert('NOTICE', 'n')),
    ];
    const r = compactAlerts(list as never);
    expect(r.alerts.slice(0, 2)).toEqual([
      { level: 'ERROR', text: 'b' },
      { level: 'NOTICE', text: 'n' },
    ]);
    expect(r.alerts).toHaveLength(NAS_LIMITS.alerts);
    expect(r.moreAlerts).toBe(62 - NAS_LIMITS.alerts);
  });
});

describe('diskState', () => {
  const d = (status: string, read = 0, write = 0, checksum = 0) => ({ name: 'sda', status, read, write, checksum });
  it.each([
    [d('ONLINE'), 'ok'],
    [d('AVAIL'), 'ok'],
    [d('ONLINE', 1), 'warn'],
    [d('ONLINE', 0, 0, 7), 'warn'],
    [d('FAULTED'), 'fail'],
    [d('DEGRADED'), 'fail'],
    [d('UNAVAIL'), 'fail'],
    [d('REMOVED', 3), 'fail'],
    [d('SOMETHING'), 'warn'],
  ] as const)('%o is %s', (disk, want) => {
    expect(diskState(disk)).toBe(want);
  });
});
