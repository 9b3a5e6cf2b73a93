/**
 * Structured JSON log lines on stdout, which Lambda sends to CloudWatch as they are.
 * A few lines instead of Powertools Logger: the bundle budget matters more than context injection,
 * and the only context we need (the event id) is passed explicitly.
 */

/** The `service` field of every line: this Lambda is the publisher (forwarders run no code). */
export const LOG_SERVICE = 'ec2led-publisher';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string, context?: Record<string, unknown>) => void;

export function jsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
  service = LOG_SERVICE,
): LogFn {
  return (level, msg, context) => {
    write(`${JSON.stringify({ level, msg, time: new Date().toISOString(), service, ...context })}\n`);
  };
}
