/**
 * Which Node versions ec2led runs on, as one line of advice. Pure: the version string comes in.
 *
 * Node 20 reached end of life in April 2026 and AWS SDK for JavaScript releases after the first
 * week of January 2027 need Node 22; the Lambda runs on Node 24, the version to put on the Pi.
 * The SDK says the same in a 9-line process warning at the first client it builds, which
 * bin/ec2led.js turns off (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) so it does not
 * stand in front of every message; `ec2led --version` prints this line instead.
 */

/** Node's own major of `v20.20.2`, or undefined for anything else. */
export function nodeMajor(version: string): number | undefined {
  const match = /^v(\d+)\./.exec(version);
  return match === null ? undefined : Number(match[1]);
}

export const RECOMMENDED_NODE = 24;
const SDK_NEEDS = 22;

/** One line: the running version, what is supported and recommended, and why. */
export function nodeAdvice(version: string): string {
  const major = nodeMajor(version);
  if (major !== undefined && major >= RECOMMENDED_NODE) {
    return `node ${version}: recommended (the Lambda runs on Node ${RECOMMENDED_NODE} too)`;
  }
  if (major !== undefined && major >= SDK_NEEDS) {
    return `node ${version}: supported; Node ${RECOMMENDED_NODE} is recommended (the Lambda's runtime)`;
  }
  return (
    `node ${version}: runs today, but Node 20 is past end of life (April 2026) and AWS SDK releases ` +
    `after the first week of January 2027 need Node ${SDK_NEEDS}; install Node ${RECOMMENDED_NODE} (docs/pi.md)`
  );
}
