/**
 * systemd's notification socket ($NOTIFY_SOCKET, sd_notify(3)): one AF_UNIX datagram per message,
 * "READY=1", "WATCHDOG=1", "STOPPING=1". Node's dgram speaks only UDP, so the socket comes from the
 * optional native module `unix-dgram` (bnoordhuis; the datagram socket winston-syslog and hot-shots
 * use), built at install like the board modules. It is loaded only when systemd set NOTIFY_SOCKET.
 *
 * Not `systemd-notify` in a child process: systemd takes a message only from the unit's main PID
 * under NotifyAccess=main, and NotifyAccess=all would let any process of the unit ping for a hung agent.
 */

export interface Notifier {
  /** Sends one message; a failure is reported to `onError`, never thrown. */
  send(message: string): void;
  close(): void;
}

/** The surface of `unix-dgram` used here. */
interface UnixDgram {
  createSocket(type: 'unix_dgram'): {
    send(buf: Buffer, offset: number, length: number, path: string, callback: (error?: Error) => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    close(): void;
  };
}

const MODULE = 'unix-dgram';
/** The install scripts the device package needs approved (scripts/package-device.ts says the same). */
const ALLOW = 'aws-crt,i2c-bus,spi-device,rpi-ws281x-native,unix-dgram';

/**
 * The socket path from $NOTIFY_SOCKET, or an Error naming the fix. An abstract socket ("@name") is
 * refused: unix-dgram copies the path as a C string. systemd's system manager uses /run/systemd/notify.
 */
export function notifySocketPath(value: string): string | Error {
  if (value.startsWith('/')) return value;
  return new Error(
    `NOTIFY_SOCKET ${JSON.stringify(value)} is not a socket path; the watchdog needs a path like /run/systemd/notify (abstract sockets are not supported)`,
  );
}

/** Opens a datagram socket towards `path`. Rejects naming the fix when unix-dgram cannot load. */
export async function openNotifier(path: string, onError: (error: Error) => void): Promise<Notifier> {
  let dgram: UnixDgram;
  try {
    const namespace = (await import(MODULE)) as { default?: unknown };
    dgram = (namespace.default ?? namespace) as UnixDgram;
  } catch (cause) {
    throw new Error(
      `cannot load the native module unix-dgram, which the systemd watchdog needs (${(cause as Error).message}); ` +
        'reinstall with build tools present: sudo apt-get install -y build-essential python3, then ' +
        `sudo npm install -g --allow-scripts=${ALLOW} PACKAGE (docs/pi.md)`,
      { cause },
    );
  }
  const socket = dgram.createSocket('unix_dgram');
  socket.on('error', onError);
  let open = true;
  return {
    send(message) {
      if (!open) return;
      const data = Buffer.from(message);
      socket.send(data, 0, data.length, path, (error) => {
        if (error !== undefined && error !== null) onError(error);
      });
    },
    close() {
      if (!open) return;
      open = false;
      try {
        socket.close();
      } catch (error) {
        onError(error as Error);
      }
    },
  };
}
