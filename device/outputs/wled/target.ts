/**
 * The demo's `--wled HOST[:PORT][,LAYOUT[,SCALE]]` as one entry of config `wled` (pure): DDP to HOST
 * (port 4048 unless given), the board mapped as LAYOUT (default strip: board pixel n on LED n) at
 * SCALE (default 1). The config schema checks the result like any other config.
 */
export function parseWledTarget(text: string): Record<string, unknown> {
  const [where = '', layout = 'strip', scale] = text.split(',');
  const match = /^([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(where);
  if (match === null) {
    throw new Error(
      `--wled ${JSON.stringify(text)}: use HOST[:PORT][,LAYOUT[,SCALE]], such as wled-desk.local or 192.168.1.50,serpentine,2`,
    );
  }
  if (layout !== 'strip' && layout !== 'serpentine' && layout !== 'matrix') {
    throw new Error(`--wled ${JSON.stringify(text)}: the layout is strip, serpentine or matrix`);
  }
  const scaled = scale === undefined ? undefined : Number(scale);
  if (scaled !== undefined && !(Number.isInteger(scaled) && scaled >= 1 && scaled <= 16)) {
    throw new Error(`--wled ${JSON.stringify(text)}: the scale is a whole number from 1 to 16`);
  }
  return {
    host: match[1],
    ...(match[2] === undefined ? {} : { port: Number(match[2]) }),
    mapping: { layout, ...(scaled === undefined ? {} : { scale: scaled }) },
  };
}
