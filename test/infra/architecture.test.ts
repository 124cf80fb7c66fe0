import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

/** Runs the project's dependency rules over a small tree of files; answers the violations it reports. */
async function violationsOf(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'architecture-'));
  scratch.push(dir);
  const tree = {
    'tsconfig.json': '{"compilerOptions":{"module":"NodeNext","moduleResolution":"NodeNext"}}',
    ...files,
  };
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  try {
    await run(DEPCRUISE, ['shared', 'functions', '--config', CONFIG, '--output-type', 'err'], { cwd: dir });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

/**
 * The house's walls are checked by `npm run lint` (dependency-cruiser, `.dependency-cruiser.cjs`): these
 * tests show the rules refuse what they are meant to refuse, on deliberate violations, and accept the
 * direction the architecture wants.
 */
describe('the dependency rules', () => {
  it('refuse a core → adapter import', async () => {
    const found = await violationsOf({
      'shared/core/usecases/orders.ts':
        "import { store } from '../../adapters/dynamo/store.js';\nexport const s = store;\n",
      'shared/adapters/dynamo/store.ts': 'export const store = 1;\n',
      'functions/x/handler.ts':
        "import { s } from '../../shared/core/usecases/orders.js';\nexport const h = s;\n",
    });
    expect(found).toContain(
      'core-stays-pure: shared/core/usecases/orders.ts → shared/adapters/dynamo/store.ts',
    );
  });

  it('refuse a handler reaching an adapter, an adapter calling a use case, and a cycle', async () => {
    const found = await violationsOf({
      'functions/x/handler.ts':
        "import { store } from '../../shared/adapters/store.js';\nexport const h = store;\n",
      'shared/adapters/store.ts':
        "import { useCase } from '../core/usecases/a.js';\nexport const store = useCase;\n",
      'shared/core/usecases/a.ts': "import { b } from './b.js';\nexport const useCase = b;\n",
      'shared/core/usecases/b.ts': "import { useCase } from './a.js';\nexport const b = () => useCase;\n",
    });
    expect(found).toContain('handlers-call-use-cases: functions/x/handler.ts → shared/adapters/store.ts');
    expect(found).toContain('adapters-implement-ports: shared/adapters/store.ts → shared/core/usecases/a.ts');
    expect(found).toContain('no-circular');
  });

  it('accept the intended direction: handler → use case → port, adapter → port', async () => {
    const found = await violationsOf({
      'functions/x/handler.ts':
        "import { placeOrder } from '../../shared/core/usecases/orders.js';\nexport const h = placeOrder;\n",
      'shared/core/usecases/orders.ts':
        "import type { Store } from '../ports/store.js';\nexport const placeOrder = (store: Store) => store;\n",
      'shared/core/ports/store.ts': 'export interface Store { put(): void }\n',
      'shared/adapters/store.ts':
        "import type { Store } from '../core/ports/store.js';\nexport class Repo implements Store { put() {} }\n",
    });
    expect(found).toBe('');
  });
});
