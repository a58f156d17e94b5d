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
  return [...by.entries()]
    .map(([k, rss]) => ({ key: k, rss }))
    .filter((g) => g.rss > 0)
    .sort((a, b) => b.rss - a.rss);
}

/**
 * Plain objects grouped by their property names (a shape signature), with
 * count and self size: which records exist once per check.
 */
export function objectShapes(file: string, min = 1000): { shape: string; count: number; bytes: number }[] {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot & {
    edges: number[];
    snapshot: { meta: { edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  };
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const types = s.snapshot.meta.node_types[0];
  const etypes = s.snapshot.meta.edge_types[0];
  const nw = nf.length;
  const ew = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const by = new Map<string, { shape: string; count: number; bytes: number }>();
  let e = 0;
  for (let i = 0; i < s.nodes.length; i += nw) {
    const edges = s.nodes[i + iEdges];
    const type = types[s.nodes[i + iType]];
    const name = s.strings[s.nodes[i + iName]];
    if (type === 'object' && (name === 'Object' || name === 'Array')) {
      const props: string[] = [];
      for (let k = 0; k < edges; k++) {
        const at = (e + k) * ew;
        if (etypes[s.edges[at + eType]] === 'property') props.push(s.strings[s.edges[at + eName]]);
      }
      const shape = `${name}{${props.slice(0, 8).join(',')}${props.length > 8 ? ',…' : ''}}`;
      let g = by.get(shape);
      if (!g) by.set(shape, (g = { shape, count: 0, bytes: 0 }));
      g.count++;
      g.bytes += s.nodes[i + iSize];
    }
    e += edges;
  }
  return [...by.values()].filter((g) => g.count >= min).sort((a, b) => b.bytes - a.bytes);
}
