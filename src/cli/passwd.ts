/**
 * `siteward passwd USER`: sets a web UI user's password (a lost admin
 * password, a headless install). The hash is argon2id, the site file is
 * written atomically (src/config/save.ts), every session of that user ends,
 * and a siteward running the site is told to re-read the file (SIGHUP).
 *
 * The password: asked twice on a terminal; otherwise the first line of
 * standard input (`echo "$PW" | siteward passwd admin`); empty: a random one,
 * printed.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseSiteBytes } from '../config/parse.ts';
import { formatIssue } from '../config/issues.ts';
import { atomicWrite } from '../config/save.ts';
import { hashPassword, randomPassword } from '../config/init.ts';
import { locateSite, locatedLine } from '../config/locate.ts';
import { openDatabase, CORE_MIGRATIONS } from '../store/db.ts';
import { defaultDbPath } from '../site.ts';
import { migrations } from '../wiring.ts';
import { SessionStore } from '../web/sessions.ts';
import { runningPid } from './pidfile.ts';
import { isObject } from '../util/guard.ts';

/** One line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  let muted = false;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      if (!muted) process.stdout.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output: out, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function newPassword(): Promise<{ password: string; generated: boolean } | null> {
  if (process.stdin.isTTY) {
    const a = await askHidden('New password (empty: a random one): ');
    if (a === '') return { password: randomPassword(), generated: true };
    if ((await askHidden('Again: ')) !== a) return null;
    return { password: a, generated: false };
  }
  const first = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  return first === '' ? { password: randomPassword(), generated: true } : { password: first, generated: false };
}

export async function passwd(user: string, configFlag: string | undefined): Promise<number> {
  const located = locateSite({ flag: configFlag });
  const line = locatedLine(located);
  if (line) console.error(line);
  const path = located.path;
  if (!existsSync(path)) {
    console.error(`No site file at ${path}`);
    return 1;
  }
  const parsed = parseSiteBytes(await readFile(path));
  if (parsed.issues.some((i) => i.severity === 'error') || !isObject(parsed.doc)) {
    console.error(`Cannot read ${path}: ${parsed.issues.map(formatIssue).join('; ')}`);
    return 1;
  }
  const doc = parsed.doc;
  const webui = doc.webui;
  const users = isObject(webui) && isObject(webui.users) ? webui.users : null;
  if (!users) {
    console.error(`${path} has no web UI users (webui.users)`);
    return 1;
  }
  const names = Object.keys(users).filter((n) => n !== '');
  if (user === '' || !Object.hasOwn(users, user)) {
    console.error(`No user ${JSON.stringify(user)} in ${path} (users: ${names.join(', ') || 'none'}); add users on the web UI's Users page`);
    return 1;
  }
  const pw = await newPassword();
  if (!pw) {
    console.error('The two passwords differ; nothing changed');
    return 1;
  }
  users[user] = await hashPassword(pw.password);
  await atomicWrite(path, `${JSON.stringify(doc, null, 1)}\n`);
  // sessions remember a fingerprint of the old hash; ending them here also
  // covers a running siteward that has not re-read the file yet
  const db = openDatabase(defaultDbPath(path), [CORE_MIGRATIONS, ...migrations()]);
  try {
    // ending sessions signs nothing: no key is needed
    new SessionStore(db, Buffer.alloc(32), Date.now).endUser(user);
  } finally {
    db.close();
  }
  console.log(`Password of ${user} changed in ${path}; their sessions have ended.`);
  if (pw.generated) console.log(`New password: ${pw.password}`);
  const pid = runningPid(path);
  if (pid !== null) {
    try {
      process.kill(pid, 'SIGHUP');
      console.log(`The running siteward (pid ${pid}) re-reads the site file now.`);
    } catch (e) {
      console.log(
        `Could not tell the running siteward (pid ${pid}) to re-read the file (${(e as Error).message}): reload it (SIGHUP, systemctl reload siteward) before signing in.`,
      );
    }
  }
  return 0;
}
