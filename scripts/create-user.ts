// CLI: creates a user (there are no default passwords outside the demo data; docs/api.md).
//   npm run user:create -- --username u --roles a,b [--department-id N] [--display-name NAME] [--phone P]
// The password comes from GRIDLINE_NEW_USER_PASSWORD, else it is asked for twice on the terminal (not echoed).
// The database is DATABASE_URL, else the embedded one under GRIDLINE_DATA_DIR (as npm start). Migrations run first.
// Exit code 0 when created, 1 when refused (taken, weak password, unknown role …), 2 on a usage or connection error.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { loadConfig } from '../server/config.js';
import { openDb } from '../server/db/open.js';
import { migrate } from '../server/db/migrate.js';
import { createUser } from '../server/services/auth.js';
import { DomainError } from '../server/domain/errors.js';
import { USER_ROLES } from '../server/domain/auth.js';

const USAGE = `usage: npm run user:create -- --username NAME --roles ROLE[,ROLE…] [--department-id N] [--display-name TEXT] [--phone NUMBER]
roles: ${USER_ROLES.join(', ')}
password: GRIDLINE_NEW_USER_PASSWORD, else asked for on the terminal`;

class Usage extends Error {}

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.stdin.isTTY) return reject(new Usage('no terminal to ask for the password: set GRIDLINE_NEW_USER_PASSWORD'));
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput(s: string): void };
    let muted = false;
    out._writeToOutput = (s: string) => { if (!muted) process.stdout.write(s); };
    rl.question(prompt, (answer) => { rl.close(); process.stdout.write('\n'); resolve(answer); });
    muted = true;
  });
}

async function password(): Promise<string> {
  const fromEnv = process.env.GRIDLINE_NEW_USER_PASSWORD;
  if (fromEnv) return fromEnv;
  const first = await askHidden('password: ');
  const second = await askHidden('again: ');
  if (first !== second) throw new Usage('the two passwords differ');
  return first;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' }, roles: { type: 'string' }, 'department-id': { type: 'string' },
      'display-name': { type: 'string' }, phone: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  if (!values.username || !values.roles) throw new Usage('--username and --roles are required');
  const department = values['department-id'];
  if (department !== undefined && !/^[1-9][0-9]*$/.test(department)) throw new Usage('--department-id must be a positive integer');
  const roles = values.roles.split(',').map((r) => r.trim()).filter(Boolean);

  const config = loadConfig(process.env);
  const pw = await password();
  const db = await openDb(config);
  try {
    await migrate(db);
    const u = await createUser({ db, clock: { now: () => new Date() } }, null, {
      username: values.username, password: pw, roles,
      department_id: department === undefined ? null : Number(department),
      display_name: values['display-name'], phone: values.phone ?? null,
    }, { ip: null });
    console.log(`user:create: created user ${u.id} "${u.username}" with roles ${u.roles.join(', ')}${u.department_id ? ` in department ${u.department_id}` : ''}`);
    return 0;
  } catch (e) {
    if (e instanceof DomainError) { console.error(`user:create: ${e.message}`); return 1; }
    throw e;
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`user:create: ${e instanceof Error ? e.message : e}`);
  if (e instanceof Usage) console.error(USAGE);
  process.exit(2);
});
