/** Regenerates packages/api/openapi.json from the contract (`npm run openapi`). */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApi } from '../src/openapi.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
fs.writeFileSync(target, renderOpenApi());
process.stdout.write(`wrote ${target}\n`);
