/**
 * The boot configuration edits of `ec2led setup` on config.txt files as Raspberry Pi OS ships them:
 * test/fixtures/boot/ holds RPi-Distro/pi-gen's stage1/00-boot-files/files/config.txt of Bullseye
 * (@6d36377, /boot/config.txt), Bookworm (@ca5eb62, /boot/firmware/config.txt) and Trixie (master
 * @314262c), and the stub pi-gen writes to /boot/config.txt since Bookworm.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BootFiles,
  dtparamOn,
  enableDtparam,
  enableModule,
  enableOverlay,
  pickConfigTxt,
  planBus,
  rebootVerdict,
  unblacklist,
} from '../../../../device/commands/service/boot-config.ts';

const boot = (name: string) =>
  readFileSync(new URL(`../../../fixtures/boot/${name}.txt`, import.meta.url), 'utf8');

/** Debian kmod's /etc/modules as installed. */
const MODULES = `# /etc/modules: kernel modules to load at boot time.
#
# This file contains the names of kernel modules that should be loaded
# at boot time, one per line. Lines beginning with "#" are ignored.
# Parameters can be specified after the module name.

`;

const files = (over: Partial<BootFiles>): BootFiles => ({
  firmwareConfig: undefined,
  bootConfig: undefined,
  modules: undefined,
  blacklist: undefined,
  ...over,
});

/** The lines that differ: removed with "-", added with "+". */
function changed(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  return [
    ...a.filter((l) => !b.includes(l)).map((l) => `-${l}`),
    ...b.filter((l) => !a.includes(l)).map((l) => `+${l}`),
  ];
}

describe('config.txt as Raspberry Pi OS ships it', () => {
  for (const image of ['bullseye', 'bookworm', 'trixie']) {
    it(`${image}: uncomments #dtparam=spi=on where it stands and changes nothing else`, () => {
      const before = boot(`${image}-config`);
      expect(dtparamOn(before, 'spi')).toBe(false);
      const after = enableDtparam(before, 'spi');
      expect(changed(before, after)).toEqual(['-#dtparam=spi=on', '+dtparam=spi=on']);
      expect(after.split('\n').indexOf('dtparam=spi=on')).toBe(before.split('\n').indexOf('#dtparam=spi=on'));
      expect(dtparamOn(after, 'spi')).toBe(true);
      expect(enableDtparam(after, 'spi')).toBe(after);
    });

    it(`${image}: uncomments #dtparam=i2c_arm=on and leaves i2s alone`, () => {
      const before = boot(`${image}-config`);
      const after = enableDtparam(before, 'i2c');
      expect(changed(before, after)).toEqual(['-#dtparam=i2c_arm=on', '+dtparam=i2c_arm=on']);
      expect(after).toContain('#dtparam=i2s=on\n');
      expect(enableDtparam(after, 'i2c')).toBe(after);
    });
  }

  it('bookworm: the Pi 5 overlay line goes at the end, under the [all] the file ends with', () => {
    const before = boot('bookworm-config');
    const after = enableOverlay(before, 'dtoverlay=ws2812-pio,gpio=18,num_leds=64');
    expect(after).toBe(`${before}dtoverlay=ws2812-pio,gpio=18,num_leds=64\n`);
    expect(enableOverlay(after, 'dtoverlay=ws2812-pio,gpio=18,num_leds=64')).toBe(after);
  });

  it('replaces a ws2812-pio line for another board (the pHAT before, the HAT now) rather than adding a second', () => {
    const before = `${boot('trixie-config')}dtoverlay=ws2812-pio,gpio=18,num_leds=32\n`;
    const after = enableOverlay(before, 'dtoverlay=ws2812-pio,gpio=18,num_leds=64');
    expect(changed(before, after)).toEqual([
      '-dtoverlay=ws2812-pio,gpio=18,num_leds=32',
      '+dtoverlay=ws2812-pio,gpio=18,num_leds=64',
    ]);
  });

  it('appends under a new [all] when the file ends inside a model section, where raspi-config would not', () => {
    const before = 'dtparam=audio=on\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n';
    expect(enableDtparam(before, 'spi')).toBe(`${before}[all]\ndtparam=spi=on\n`);
    expect(enableDtparam('dtparam=audio=on\n', 'spi')).toBe('dtparam=audio=on\ndtparam=spi=on\n');
    expect(enableDtparam('', 'i2c')).toBe('dtparam=i2c_arm=on\n');
  });

  it('turns an explicit off, a commented line with a space and a repeated line on, as raspi-config does', () => {
    expect(enableDtparam('dtparam=spi=off\n', 'spi')).toBe('dtparam=spi=on\n');
    expect(enableDtparam('# dtparam=spi=on\n#dtparam=spi=on\n', 'spi')).toBe(
      'dtparam=spi=on\ndtparam=spi=on\n',
    );
    // Two hashes is a comment about the line, not the line: left alone, the parameter appended.
    expect(enableDtparam('##dtparam=spi=on\n', 'spi')).toBe('##dtparam=spi=on\ndtparam=spi=on\n');
  });

  it('reads the parameter as on in every form raspi-config accepts, and not when commented or off', () => {
    for (const on of [
      'dtparam=spi=on',
      'dtparam=spi',
      'dtparam=audio=on,spi=on',
      'device_tree_param=spi=yes',
    ])
      expect(dtparamOn(`${on}\n`, 'spi'), on).toBe(true);
    for (const off of ['#dtparam=spi=on', 'dtparam=spi=off', ' dtparam=spi=on', 'dtparam=spidev=on'])
      expect(dtparamOn(`${off}\n`, 'spi'), off).toBe(false);
    expect(dtparamOn('dtparam=i2c=on\n', 'i2c')).toBe(true);
    expect(dtparamOn('dtparam=i2c_arm=on,i2c_arm_baudrate=400000\n', 'i2c')).toBe(true);
  });

  it('picks /boot/firmware/config.txt first, /boot/config.txt on older images, and never the Bookworm stub', () => {
    expect(pickConfigTxt({ firmwareConfig: 'a\n', bootConfig: boot('bookworm-boot-stub') })).toEqual({
      path: '/boot/firmware/config.txt',
      text: 'a\n',
    });
    expect(pickConfigTxt({ firmwareConfig: undefined, bootConfig: 'b\n' })).toEqual({
      path: '/boot/config.txt',
      text: 'b\n',
    });
    const stub = pickConfigTxt({ firmwareConfig: undefined, bootConfig: boot('bookworm-boot-stub') });
    expect(stub).toEqual({ problem: expect.stringContaining('the boot partition is not mounted') });
    expect(pickConfigTxt({ firmwareConfig: undefined, bootConfig: undefined })).toEqual({
      problem: expect.stringContaining('neither /boot/firmware/config.txt nor /boot/config.txt exists'),
    });
  });
});

describe('/etc/modules and the blacklist, for I2C', () => {
  it('adds i2c-dev once to Debian’s /etc/modules, uncommenting a commented one instead', () => {
    const added = enableModule(MODULES, 'i2c-dev');
    expect(added).toBe(`${MODULES}i2c-dev\n`);
    expect(enableModule(added, 'i2c-dev')).toBe(added);
    expect(enableModule('# i2c-dev\nsnd-bcm2835\n', 'i2c-dev')).toBe('i2c-dev\nsnd-bcm2835\n');
    expect(enableModule(undefined, 'i2c-dev')).toBe('i2c-dev\n');
  });

  it('comments out an old blacklist line for the bus, and only that one', () => {
    expect(unblacklist('blacklist spi-bcm2708\nblacklist i2c-bcm2708\n', 'spi')).toBe(
      '#blacklist spi-bcm2708\nblacklist i2c-bcm2708\n',
    );
    expect(unblacklist('#blacklist spi-bcm2708\n', 'spi')).toBe('#blacklist spi-bcm2708\n');
  });
});

describe('planBus', () => {
  it('SPI on Bookworm: one config.txt edit and `dtparam spi=on` for the running kernel', () => {
    const plan = planBus(
      { kind: 'spi' },
      files({ firmwareConfig: boot('bookworm-config'), modules: MODULES }),
    );
    expect(plan).toMatchObject({
      what: 'SPI',
      configPath: '/boot/firmware/config.txt',
      line: 'dtparam=spi=on',
    });
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.edits.map((edit) => edit.path)).toEqual(['/boot/firmware/config.txt']);
    expect(plan.now).toEqual([['dtparam', ['spi=on']]]);
  });

  it('I2C on Bullseye: /boot/config.txt, /etc/modules, the blacklist, then dtparam and modprobe', () => {
    const plan = planBus(
      { kind: 'i2c' },
      files({ bootConfig: boot('bullseye-config'), modules: MODULES, blacklist: 'blacklist i2c-bcm2708\n' }),
    );
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.edits.map((edit) => edit.path)).toEqual([
      '/boot/config.txt',
      '/etc/modprobe.d/raspi-blacklist.conf',
      '/etc/modules',
    ]);
    expect(plan.now).toEqual([
      ['dtparam', ['i2c_arm=on']],
      ['modprobe', ['i2c-dev']],
    ]);
  });

  it('changes nothing the second time: a re-run is idempotent', () => {
    const first = planBus(
      { kind: 'i2c' },
      files({ firmwareConfig: boot('trixie-config'), modules: MODULES }),
    );
    if ('problem' in first) throw new Error(first.problem);
    const after = Object.fromEntries(first.edits.map((edit) => [edit.path, edit.text]));
    const second = planBus(
      { kind: 'i2c' },
      files({ firmwareConfig: after['/boot/firmware/config.txt'], modules: after['/etc/modules'] }),
    );
    expect(second).toMatchObject({ edits: [] });
  });

  it('the Pi 5 overlay: config.txt only, and nothing to run (it loads at boot)', () => {
    const plan = planBus(
      { kind: 'ws2812-pio', overlay: 'dtoverlay=ws2812-pio,gpio=18,num_leds=32' },
      files({ firmwareConfig: boot('trixie-config') }),
    );
    expect(plan).toMatchObject({ what: 'the ws2812-pio overlay', now: [] });
  });

  it('refuses the stub /boot/config.txt of a Bookworm Pi whose boot partition is not mounted', () => {
    expect(planBus({ kind: 'spi' }, files({ bootConfig: boot('bookworm-boot-stub') }))).toEqual({
      problem: expect.stringContaining('findmnt /boot/firmware'),
    });
  });
});

describe('rebootVerdict: at most one reboot', () => {
  it('asks for none when the devices exist', () => {
    expect(rebootVerdict({ missing: false, changed: true, marker: 'a', bootId: 'b' })).toEqual({
      reboot: 'no',
    });
  });

  it('asks for one after a change, and again in the same boot, remembering this boot', () => {
    expect(rebootVerdict({ missing: true, changed: true, marker: undefined, bootId: 'b1' })).toEqual({
      reboot: 'yes',
      marker: 'b1',
    });
    expect(rebootVerdict({ missing: true, changed: false, marker: 'b1', bootId: 'b1' })).toEqual({
      reboot: 'yes',
      marker: 'b1',
    });
  });

  it('asks for one when another tool turned the bus on without rebooting (no marker)', () => {
    expect(rebootVerdict({ missing: true, changed: false, marker: undefined, bootId: 'b1' })).toEqual({
      reboot: 'yes',
      marker: 'b1',
    });
  });

  it('asks for no second one: booted since it asked and the device is still missing', () => {
    expect(rebootVerdict({ missing: true, changed: false, marker: 'b1', bootId: 'b2' })).toEqual({
      reboot: 'stuck',
    });
  });

  it('without a boot id (an image) says yes and remembers nothing', () => {
    expect(rebootVerdict({ missing: true, changed: false, marker: 'b1', bootId: undefined })).toEqual({
      reboot: 'yes',
      marker: undefined,
    });
  });
});
