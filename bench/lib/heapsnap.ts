/**
 * Reading a V8 heap snapshot (the .heapsnapshot JSON that
 * `node --heapsnapshot-signal` writes) into a breakdown: self size and count
 * per node type and constructor / string kind, and the process's memory map
 * summary from /proc/<pid>/smaps (what RSS is made of besides the V8 heap).
 * Used by bench/heap-profile.ts.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  /** `<node type>:<name>`, e.g. `object:CheckEntry`, `string`, `code`, `closure:context` */
  key: string;
  count: number;
  bytes: number;
}

/**
 * Self sizes grouped by node type and constructor name. Strings, code and
 * arrays are grouped by type only (their "names" are their contents).
 */
export function heapGroups(file: string): { total: number; groups: HeapGroup[] } {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const by = new Map<string, HeapGroup>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]];
    const size = s.nodes[i + iSize];
    total += size;
    const name = s.strings[s.nodes[i + iName]];
    let key: string;
    if (type === 'object' || type === 'native' || type === 'hidden') key = `${type}:${name.slice(0, 60)}`;
    else if (type === 'closure') key = 'closure';
    else if (type === 'code') key = `code:${name.startsWith('(') ? name.slice(0, 40) : 'functions'}`;
    else key = type;
    let g = by.get(key);
    if (!g) {
      g = { key, count: 0, bytes: 0 };
      by.set(key, g);
    }
    g.count++;
    g.bytes += size;
  }
  return { total, groups: [...by.values()].sort((a, b) => b.bytes - a.bytes) };
}

export interface MapGroup {
  /** `[heap]` (malloc), `[anon]` (V8 heap pages, thread stacks, mmap'd malloc arenas), a file name, … */
  key: string;
  rss: number;
}

/** RSS by mapping from /proc/<pid>/smaps: the node binary, shared libraries (better-sqlite3's .node), malloc heap, anonymous pages. */
export function memoryMap(pid: number): MapGroup[] {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const by = new Map<string, number>();
  let key = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1].trim();
      key = name === '' ? '[anon]' : name.startsWith('/') ? name.split('/').pop()! : name;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) by.set(key, (by.get(key) ?? 0) + Number(rss[1]) * 1024);
  }
  return [...by.entries()].map(([k, rss]) => ({ key: k, rss })).filter((g) => g.rss > 0).sort((a, b) => b.rss - a.rss);
}
