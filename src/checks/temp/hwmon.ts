/**
 * Local temperature sensors from the Linux hwmon sysfs interface
 * (Documentation/hwmon/sysfs-interface.rst): `/sys/class/hwmon/hwmonN/name`
 * names the chip (coretemp, k10temp, nvme, acpitz…), `tempK_input` holds a
 * reading in millidegrees Celsius and `tempK_label` its label ("Package id 0",
 * "Tctl", "Composite"…). The sysfs root is injectable so tests use fixture
 * trees.
 */
import { readdir } from 'node:fs/promises';
import { readSmallText } from '../shared/procfs.ts';
import { join } from 'node:path';

export class HwmonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export interface HwmonReading {
  chip: string;
  label: string;
  celsius: number;
}

const readText = async (p: string): Promise<string | null> => {
  try {
    return (await readSmallText(p)).trim();
  } catch {
    return null;
  }
};

/** hwmon0, hwmon2, hwmon10 — in numeric order so "the first chip" is stable. */
const byNumber = (a: string, b: string): number => Number(/\d+$/.exec(a)?.[0] ?? 0) - Number(/\d+$/.exec(b)?.[0] ?? 0);

interface Sensor {
  index: number;
  label: string;
  input: string;
}

async function sensorsOf(dir: string): Promise<Sensor[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const out: Sensor[] = [];
  for (const f of files) {
    const m = /^temp(\d+)_input$/.exec(f);
    if (!m) continue;
    const index = Number(m[1]);
    const label = (await readText(join(dir, `temp${index}_label`))) ?? `temp${index}`;
    out.push({ index, label, input: join(dir, f) });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * One reading. `chip` matches the chip's name or its folder (`hwmon3`);
 * without it the first chip with a temperature sensor is used. `label`
 * matches a sensor label or `tempK`; without it the chip's first sensor.
 */
export async function readHwmon(sysRoot: string, chip?: string, label?: string): Promise<HwmonReading> {
  const base = join(sysRoot, 'class', 'hwmon');
  let dirs: string[];
  try {
    dirs = (await readdir(base)).filter((d) => /^hwmon\d+$/.test(d)).sort(byNumber);
  } catch {
    throw new HwmonError(`no hwmon sensors on this machine (${base} is missing)`);
  }
  const seen: string[] = [];
  for (const d of dirs) {
    const name = (await readText(join(base, d, 'name'))) ?? d;
    seen.push(name);
    if (chip !== undefined && chip !== name && chip !== d) continue;
    const sensors = await sensorsOf(join(base, d));
    if (sensors.length === 0) continue;
    const s = label === undefined ? sensors[0] : sensors.find((x) => x.label === label || `temp${x.index}` === label);
    // chips of one name can repeat (two sockets, two NVMe drives): keep looking
    if (!s) continue;
    const raw = await readText(s.input);
    if (raw === null || !/^-?\d+$/.test(raw)) throw new HwmonError(`${name}/${s.label}: unreadable value ${JSON.stringify(raw)}`);
    return { chip: name, label: s.label, celsius: Number(raw) / 1000 };
  }
  const found = seen.length ? seen.join(', ') : 'none';
  if (chip !== undefined && !seen.includes(chip) && !dirs.includes(chip)) throw new HwmonError(`no hwmon chip named ${JSON.stringify(chip)} (found: ${found})`);
  if (label !== undefined) throw new HwmonError(`no temperature sensor labelled ${JSON.stringify(label)}${chip !== undefined ? ` on ${chip}` : ''}`);
  throw new HwmonError(`no temperature sensor found (chips: ${found})`);
}
