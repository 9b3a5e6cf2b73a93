/**
 * dpkg, dpkg-query and systemctl as shell fakes for the root installer run as a real process
 * (`ec2led update-install`), acting on files in `$FAKE_DIR`: `installed` (the package dpkg has,
 * "VERSION ok|sick"), `state` (ok, or half while dpkg runs), `running` (what systemd runs: a restart
 * copies `installed`; `is-active` says active only for an "ok" package, whose agent gets ready).
 * Every call counts in `count` and is logged in `calls`; when `count` reaches the number in `kill-at`,
 * the fake SIGKILLs its parent (the installer), as a power cut would mid-command.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREAMBLE = `#!/bin/sh
F="$FAKE_DIR"
n=$(( $(cat "$F/count" 2>/dev/null || echo 0) + 1 )); echo $n > "$F/count"
echo "$(basename "$0") $*" >> "$F/calls"
if [ "$n" = "$(cat "$F/kill-at" 2>/dev/null)" ]; then kill -9 $PPID; sleep 5; exit 1; fi
`;

const FAKES: Record<string, string> = {
  dpkg: `case "$1" in --configure) exit 0;; esac
echo half > "$F/state"; cp "$3" "$F/installed"; echo ok > "$F/state"`,
  'dpkg-query': `v=$(cut -d' ' -f1 "$F/installed")
if [ "$(cat "$F/state")" = ok ]; then printf 'ii |%s' "$v"; else printf 'iF |%s' "$v"; fi`,
  systemctl: `case "$2" in restart) cp "$F/installed" "$F/running"; exit 0;; esac
if grep -q ' ok' "$F/running"; then echo active; exit 0; fi
echo activating; exit 3`,
};

/** Writes the fakes into `binDir` (put it first on PATH, with FAKE_DIR set). */
export function writeInstallerFakes(binDir: string): void {
  for (const [name, body] of Object.entries(FAKES)) {
    const path = join(binDir, name);
    writeFileSync(path, `${PREAMBLE}${body}\n`);
    chmodSync(path, 0o755);
  }
}

/** `version` installed, running and ready; the installer's kept package is the same. */
export function seedInstalled(fakeDir: string, workDir: string, version: string): void {
  for (const name of ['installed', 'running']) writeFileSync(join(fakeDir, name), `${version} ok\n`);
  writeFileSync(join(fakeDir, 'state'), 'ok\n');
  writeFileSync(join(workDir, 'kept.deb'), `${version} ok\n`);
  writeFileSync(join(workDir, 'kept.json'), JSON.stringify({ version }));
}
