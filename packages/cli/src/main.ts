/** The `retrosync` command (bin/retrosync.js loads the built copy of this file). */
import { run } from './cli/dispatch.js';
import { processIo } from './cli/io.js';

process.exitCode = await run(process.argv.slice(2), processIo());
