/**
 * Which GPIO chip holds the 40-pin header's lines (pure, over what `gpiodetect` lists). The chip's
 * number is not stable: a Pi 5 listed the header as gpiochip4 on its first kernels and as gpiochip0
 * on later ones, and a Pi 4's sits beside the firmware's expander; only the label says which is the
 * header's. Labels: `pinctrl-bcm2835` (Pi 1-3, Zero), `pinctrl-bcm2711` (Pi 4, 400, CM4),
 * `pinctrl-rp1` (Pi 5, the RP1 south bridge) — docs/reference/hardware.md §4.5.
 */

export interface GpioChip {
  /** The character device's name: gpiochip0 is /dev/gpiochip0. */
  readonly name: string;
  readonly label: string;
  readonly lines: number;
}

/** The header's chip labels, newest Pi first; "auto" takes the first one listed. */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

const LISTED = /^(gpiochip\d{1,4}) \[(.{0,64})\] \((\d{1,5}) lines?\)$/;

/**
 * `gpiodetect`'s lines, the same in libgpiod v1 and v2: `gpiochip0 [pinctrl-rp1] (54 lines)`. Lines
 * of any other shape (a warning, a chip that failed to open) are skipped.
 */
export function parseGpiodetect(text: string): GpioChip[] {
  return text
    .split('\n')
    .slice(0, 256)
    .flatMap((line) => {
      const match = LISTED.exec(line.trim());
      return match === null
        ? []
        : [{ name: match[1] as string, label: match[2] as string, lines: Number(match[3]) }];
    });
}

export type ChipChoice =
  | { readonly ok: true; readonly chip: GpioChip }
  | { readonly ok: false; readonly reason: string };

/**
 * The chip with the wanted label ("auto": a header label, HEADER_CHIP_LABELS order), which must have
 * every line asked for. The reason of a failure lists what there is and says what to do.
 */
export function findChip(chips: readonly GpioChip[], wanted: string, lines: readonly number[]): ChipChoice {
  const labels = wanted === 'auto' ? HEADER_CHIP_LABELS : [wanted];
  const listed = chips.map((c) => `${c.name} [${c.label}]`).join(', ') || 'none';
  const chip = labels.map((label) => chips.find((c) => c.label === label)).find((c) => c !== undefined);
  if (chip === undefined) {
    const what =
      wanted === 'auto' ? `a Raspberry Pi header chip (${HEADER_CHIP_LABELS.join(', ')})` : `"${wanted}"`;
    return {
      ok: false,
      reason:
        `no GPIO chip labelled ${what}; chips: ${listed}. ` +
        (chips.length === 0
          ? 'no /dev/gpiochip* could be read: on a Raspberry Pi, add the service user to the gpio group (sudo ec2led setup does)'
          : 'set buttons.chip to the label of the chip the buttons are wired to'),
    };
  }
  const beyond = lines.filter((line) => line >= chip.lines);
  if (beyond.length > 0) {
    return {
      ok: false,
      reason: `${chip.name} [${chip.label}] has lines 0-${chip.lines - 1}, not ${beyond.join(', ')}: check buttons.map`,
    };
  }
  return { ok: true, chip };
}
