/**
 * The systemd unit `ec2led service install` writes (pure). device/systemd/ec2led.service in the
 * package is this text for Node in /usr/bin and a global install under /usr/lib/node_modules, and a
 * test keeps the two equal.
 */

export const SERVICE_USER = 'ec2led';
export const UNIT_NAME = 'ec2led.service';
export const ETC_DIR = '/etc/ec2led';
export const STATE_DIR = '/var/lib/ec2led';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
/** The .deb's trigger of the root installer for update jobs (device/systemd/ec2led-update.path). */
export const UPDATE_PATH_UNIT = 'ec2led-update.path';
export const ROOT_DROP_IN_PATH = `/etc/systemd/system/${UNIT_NAME}.d/10-root.conf`;
/** Makes time-sync.target wait for a real NTP sync (systemd-timesyncd); without it the target is reached at once. */
export const TIME_WAIT_SYNC = 'systemd-time-wait-sync.service';

export interface UnitOptions {
  /** Absolute path of the node binary (process.execPath of `service install`). */
  readonly node: string;
  /** Absolute path of the package's bin/ec2led.js. */
  readonly bin: string;
}

/** The layout of `sudo npm install -g` with Node from NodeSource or Debian. */
export const REFERENCE_UNIT_OPTIONS: UnitOptions = {
  node: '/usr/bin/node',
  bin: '/usr/lib/node_modules/ec2-led/bin/ec2led.js',
};

export function renderUnit(options: UnitOptions): string {
  return `# The ec2-led agent as a systemd service, written by \`sudo ec2led service install\` (docs/pi.md).
# Re-running service install rewrites it; local changes belong in a drop-in (systemctl edit ec2led).
#
# Runs as the system user ${SERVICE_USER}. Board access comes from its supplementary groups, which
# service install joins it to: spi (Unicorn HAT HD, HAT Mini), i2c (RGB Matrix 5x5, LED SHIM), gpio
# (/dev/leds0 on a Pi 5, with a udev rule). The Unicorn HAT or pHAT on a Pi 4 or older needs root
# (rpi_ws281x maps /dev/mem): service install then adds the drop-in ${UNIT_NAME}.d/10-root.conf.
# The device bundle is read from ${ETC_DIR}; slots and the status socket (agent.sock) live in
# ${STATE_DIR} (StateDirectory=, passed to the agent as $STATE_DIRECTORY).
#
# Time: AWS request signing needs a synchronized clock, but the unit does not wait for
# time-sync.target: a Pi booting without network would then show nothing at all. The agent starts,
# shows the last known fleet dimmed, marks the unsynchronized clock on the board and in
# \`ec2led status\`, and retries until the clock is right. Check with
# \`timedatectl show -p NTPSynchronized\`.

[Unit]
Description=ec2-led: one LED pixel per EC2 instance
After=network-online.target
Wants=network-online.target

[Service]
# Type=notify: the agent says READY=1 once the board is open and the first listing has settled
# (listed or failed), or 30 s after the board opened without one (a Pi booting without network).
# It then pings the watchdog every WatchdogSec/2, only while healthy: its event loop turns, no
# frame waits more than 20 s to be drawn, and the MQTT client is connected or still retrying. Sixty
# seconds without a ping means a hung agent: systemd kills it (WatchdogSignal, SIGABRT) and
# Restart=always starts it again. 60 s, not less: a Pi Zero under load (apt, a GC pause) can stall
# the event loop for seconds, and a restart costs a relisting; more would leave a frozen board longer.
Type=notify
NotifyAccess=main
WatchdogSec=60
User=${SERVICE_USER}
Group=${SERVICE_USER}
ExecStart=${options.node} ${options.bin} agent --config ${ETC_DIR}/config.json
# Node 20 would print the AWS SDK's Node-version notice as a non-JSON line; Node 22 does not.
Environment=AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# Two glibc malloc arenas instead of one per thread: the agent's threads (libuv, V8, aws-crt) then
# keep about 6 MB less resident memory, at no measurable CPU cost (npm run bench -- agent).
Environment=MALLOC_ARENA_MAX=2
# A fixed malloc mmap threshold (128 KiB, glibc's starting value; setting it turns off glibc's
# raising of it): the buffer a large listing's answer arrives in (8-10 MB for 30,000 instances) is
# then mapped on its own and goes back to the system when freed, instead of staying in malloc's
# heap, 10-12 MB resident long after (npm run bench -- listing, docs/benchmarks.md section (i)).
Environment=MALLOC_MMAP_THRESHOLD_=131072
# Young-generation semi-spaces of 1 MB instead of up to 16 MB: under a burst of changes the agent
# then stays about 30 MB smaller, at more, shorter collections (npm run bench -- footprint).
Environment=NODE_OPTIONS=--max-semi-space-size=1
StateDirectory=ec2led
StateDirectoryMode=0750
Restart=always
RestartSec=5
# After every stop, whatever the cause (a clean stop, a crash, a watchdog kill): switch the LEDs
# off, so a dead agent leaves a dark board rather than a stale one. "-": a failure is logged only.
ExecStopPost=-${options.node} ${options.bin} blank --config ${ETC_DIR}/config.json
# SIGTERM: stop MQTT, blank the board, exit 0 within 2 s; systemd waits up to 10 s before SIGKILL.
KillSignal=SIGTERM
TimeoutStopSec=10

# Hardening. ProtectSystem=strict makes everything read-only but StateDirectory=.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ProtectControlGroups=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
# Not MemoryDenyWriteExecute=: V8's JIT needs writable executable memory.
# Not PrivateDevices=: the board lives on /dev/spidev*, /dev/i2c-*, /dev/leds0.

[Install]
WantedBy=multi-user.target
`;
}

/** The drop-in for a board that needs root, with the reason in it. */
export function renderRootDropIn(reason: string): string {
  return `# Written by ec2led service install: ${reason}.
[Service]
User=root
ProtectKernelTunables=no
PrivateDevices=no
`;
}

/**
 * Why the unit could not run this Node or this package, or undefined. ProtectHome=yes hides /home
 * and /root from the service, so a Node from nvm or a user-level npm prefix would not start.
 */
export function unitPathProblem(options: UnitOptions): string | undefined {
  for (const [what, path] of [
    ['node', options.node],
    ['the ec2-led package', options.bin],
  ] as const) {
    if (/^\/(home|root|run\/user)(\/|$)/.test(path)) {
      return (
        `${what} is at ${path}, under a home folder the service cannot see (ProtectHome=yes): install ` +
        'Node.js system-wide and the package with `sudo npm install -g` (docs/pi.md, "Another way: the tarball"), or use the .deb'
      );
    }
  }
  return undefined;
}
