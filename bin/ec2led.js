#!/usr/bin/env node
// The `ec2led` command. In a clone of the repository it runs the TypeScript sources through tsx (a
// dev dependency), so `npx ec2led` always runs the code as it is now; a packed install, which ships
// dist/ and no sources, runs the bundle built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The first statement (the imports above are Node built-ins, ready before any code runs). A stop
// signal that reaches `ec2led agent` while Node still loads tsx, main.ts and the agent's modules
// (0.1-1 s; device/commands/cli/agent.ts listens from agentMain's first line) would otherwise kill the
// process by the signal, exit 143. Nothing that needs undoing exists yet, so it leaves as the agent
// does for a stop: 0. Once agentMain listens, this handler steps aside and the agent's own handlers
// take over. Only Node's own start-up, before this line (about 30 ms), is left uncovered.
// To systemd it makes no difference but the status line: a main process killed by SIGTERM is a
// clean stop for Type=notify (systemd.service(5), SuccessExitStatus=: "in addition to the normal
// successful exit status 0 and, except for Type=oneshot, the signals SIGHUP, SIGINT, SIGTERM, and
// SIGPIPE"), so neither exit marks the unit failed; `systemctl status` shows `status=0/SUCCESS`
// instead of `signal=TERM`. A shell or a supervisor that reads exit codes sees 0 instead of 143.
if (process.argv[2] === 'agent') {
  const early = (signal) => {
    if (process.listenerCount(signal) === 0) process.exit(0);
  };
  process.once('SIGTERM', early);
  process.once('SIGINT', early);
}

// The AWS SDK prints a 9-line Node-version warning at the first client it builds, in front of every
// message of a command that lists instances. Turn off that one warning (its own documented switch;
// every other warning still prints); `ec2led --version` gives the same advice in one line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const source = fileURLToPath(new URL('../device/main.ts', import.meta.url));
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(source).href);
} else {
  cli = await import(new URL('../dist/cli.mjs', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
