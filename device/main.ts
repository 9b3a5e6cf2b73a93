/**
 * The `ec2led` command line. No side effects at import: bin/ec2led.js calls `main`. Each
 * subcommand is loaded only when it runs, so `ec2led --help` loads no SDK and no native module.
 */

import { VERSION } from './base/version.ts';
import type { Io } from './commands/cli/io.ts';

export const USAGE = `ec2led — one LED pixel per EC2 instance

Examples:
  ec2led agent --config ./ec2led-desk-pi/config.json --display terminal --log-format pretty
  ec2led status
  ec2led replay events.jsonl --board unicornhathd
  ec2led device create desk-pi --board unicornhatmini
  sudo ec2led setup ~/ec2led-desk-pi
  sudo ec2led doctor

Commands:
  agent            run the board: MQTT feed, DescribeInstances, the LED display (the service)
  status           which pixel shows which instance, from the running agent
  ack [ITEM]       acknowledge urgent pixels: they stop flashing (ITEM or all)
  snooze ITEM      no urgency from an item (or --kind KIND) for a while (--for 2h)
  unsnooze ITEM    end a snooze (or --kind KIND, --all)
  replay FILE      the board after a file of EventBridge events
  device create    enrol a Raspberry Pi in IoT Core (admin machine, after cdk deploy)
  device list      the devices of the stack, with their certificates
  device set       set a device's brightness, schedule, pins or colours from the admin machine
  device delete    remove it again
  device update    send a signed package to devices by IoT job; --status shows each one's execution
  device update-key  create the Ed25519 key that signs update packages (once, admin machine)
  doctor           check this Pi: architecture, Node, config, certificates, board, endpoints, clock
  setup BUNDLE     on the Pi (root): bus, user, bundle, service; waits for synced
  service          service install (= setup), service uninstall
  blank            switch the LED board off (the service runs it after the agent stops)
  update-install   install the update the agent verified (root; ec2led-update.service runs it)
  wled list        WLED devices on this LAN (mDNS), to mirror the board to (docs/wled.md)
Each command takes --help; --version also says whether this Node version is the one to use.
Config keys: docs/config.md; install on a Pi: docs/pi.md. Exit codes: 0 done, 1 failed, 2 usage.
`;

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs one command line and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command === undefined) {
    // No command is a usage error like any other (exit 2); the usage goes to stderr, not to data.
    io.stderr(USAGE);
    return 2;
  }
  if (command === 'device') return (await import('./commands/admin/cli.ts')).deviceMain(argv.slice(1), io);
  if (command === 'replay') {
    const output = { isTty: process.stdout.isTTY === true, columns: process.stdout.columns };
    return (await import('./commands/replay/cli.ts')).replayMain(argv.slice(1), io, output);
  }
  if (command === 'agent') return (await import('./commands/cli/agent.ts')).agentMain(argv.slice(1), io);
  if (command === 'blank') return (await import('./commands/cli/blank.ts')).blankMain(argv.slice(1), io);
  if (command === 'update-install')
    return (await import('./commands/update/cli.ts')).updateInstallMain(argv.slice(1), io);
  if (command === 'doctor') return (await import('./commands/doctor/cli.ts')).doctorMain(argv.slice(1), io);
  if (command === 'wled') return (await import('./commands/cli/wled.ts')).wledMain(argv.slice(1), io);
  if (command === 'setup') return (await import('./commands/service/cli.ts')).setupMain(argv.slice(1), io);
  if (command === 'service')
    return (await import('./commands/service/cli.ts')).serviceMain(argv.slice(1), io);
  if (command === 'status') {
    const columns = process.stdout.columns;
    const isTty = process.stdout.isTTY === true;
    return (await import('./commands/cli/status.ts')).statusMain(argv.slice(1), { ...io, columns, isTty });
  }
  if (command === 'ack' || command === 'snooze' || command === 'unsnooze') {
    return (await import('./commands/cli/attention.ts')).attentionMain(command, argv.slice(1), io);
  }
  if (command === '--version') {
    io.stdout(`${VERSION}\n`);
    const { nodeAdvice } = await import('./commands/cli/node-version.ts');
    io.stderr(`${nodeAdvice(process.version)}\n`);
    return 0;
  }
  io.stderr(`unknown command ${JSON.stringify(command)}; run ec2led --help for the list\n`);
  return 2;
}
