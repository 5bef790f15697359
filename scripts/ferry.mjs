#!/usr/bin/env node
// `ferry serve …` / `ferry send …` (and `npm run serve|send`): runs the bundled CLI on plain node,
// rebuilding dist/cli first when a source is newer. It runs in this process, so SIGINT and SIGTERM
// reach the CLI's own handlers directly (serve flushes in-flight uploads on them).
import module, { createRequire } from 'node:module';
import { buildFailureLine, cliNames, cliOutput, ensureCli } from './cli-bundle.mjs';

const usage = `Usage: ferry <command> [options]

Commands:
  serve   run the receiver: tus 1.0 on /files/, multipart on /upload, live progress on /ws
  send    upload files or folders to a tus 1.0 endpoint, resumably

Run \`ferry <command> --help\` for a command's options.`;

// A leading `--` (as in `npx ferry -- send …`) only separates npm's options from ours.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const [command, ...rest] = argv;

if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
  (command === undefined ? console.error : console.log)(usage);
  process.exit(command === undefined ? 2 : 0);
}
if (command === '--version' || command === '-V') {
  const { version } = createRequire(import.meta.url)('../package.json');
  console.log(version);
  process.exit(0);
}
// `ferry help send` is `ferry send --help`.
const name = command === 'help' ? rest[0] : command;
const args = command === 'help' ? ['--help'] : rest;
if (!cliNames.includes(name)) {
  console.error(`ferry: unknown command "${name ?? ''}" (expected ${cliNames.join(' or ')})\n\n${usage}`);
  process.exit(2);
}

try {
  await ensureCli();
} catch (error) {
  console.error(`ferry: could not build the CLI: ${buildFailureLine(error)}`);
  process.exit(1);
}
// Node 22.1+ keeps the bundle's compiled code on disk (in the temp folder), so a run after the first
// starts in about half the time; older Node has no such cache and starts as before.
module.enableCompileCache?.();
// The bundled CLI parses process.argv as if it had been started directly. It is CommonJS: required,
// it loads without the ES module loader's resolution and export checks.
process.argv = [process.argv[0], cliOutput(name), ...args];
createRequire(import.meta.url)(cliOutput(name));
