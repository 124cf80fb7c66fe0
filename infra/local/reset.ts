/**
 * `npm run reset`: forgets the local stack's data (DynamoDB, S3) and the demo keys, so the next `npm start`
 * seeds a fresh demo. Keeps `.local/cache` (the DynamoDB Local jar). Refuses while the stack runs, unless
 * `--force` (for example when another program uses one of the ports).
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { portIsListening } from './ports.js';
import { DATA_DIR, DEMO_INVOICES_DIR, DEMO_KEYS_FILE, localPorts, STACK_FILE } from './settings.js';

function runningStackPid(): number | undefined {
  if (!existsSync(STACK_FILE)) return undefined;
  try {
    const { pid } = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as { pid: number };
    process.kill(pid, 0); // throws when no such process
    return pid;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const pid = runningStackPid();
  const listening: string[] = [];
  for (const [name, port] of Object.entries(localPorts())) {
    if (await portIsListening(port)) listening.push(`${name} ${port}`);
  }
  if (!force && (pid !== undefined || listening.length > 0)) {
    const why =
      pid !== undefined ? `npm start is running (pid ${pid})` : `ports in use: ${listening.join(', ')}`;
    console.error(`Refusing to reset: ${why}. Stop the stack first (Ctrl-C), or pass --force.`);
    process.exit(1);
  }
  await rm(DATA_DIR, { recursive: true, force: true });
  await rm(DEMO_KEYS_FILE, { force: true });
  await rm(DEMO_INVOICES_DIR, { recursive: true, force: true });
  await rm(STACK_FILE, { force: true });
  console.log(`Removed ${DATA_DIR} and ${DEMO_KEYS_FILE}. The next \`npm start\` seeds a fresh demo.`);
}

await main();
